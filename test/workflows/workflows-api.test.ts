import { describe, expect, it } from "vitest";
import { API_KEY, api, envelope } from "../helpers/api";

const minimalYaml = (id: string, title = "Tell us") => `
id: ${id}
name: Minimal ${id}
description: One form
start_step: ask
steps:
  - id: ask
    type: form
    title: ${title}
    fields:
      - { name: topic, type: string, required: true }
`;

describe("auth", () => {
  it("rejects a missing key with 401 in the envelope", async () => {
    const res = await api("GET", "/v1/workflows", { key: null });
    expect(res.status).toBe(401);
    expect(envelope(res).code).toBe("unauthorized");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("rejects a wrong key, a non-bearer scheme and an empty bearer", async () => {
    for (const authorization of [
      "Bearer nope-nope-nope",
      "Basic dGVzdDp0ZXN0",
      "Bearer ",
      `Bearer ${API_KEY}x`,
    ]) {
      const res = await api("GET", "/v1/workflows", { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(envelope(res).code).toBe("unauthorized");
    }
  });

  it("records the principal that created a workflow", async () => {
    const res = await api("POST", "/v1/workflows", { yaml: minimalYaml("by-other"), key: "other-key-456" });
    expect(res.status).toBe(201);
    expect((res.body as { created_by: string }).created_by).toBe("other");
  });

  it("leaves /health and /openapi.json public", async () => {
    expect((await api("GET", "/health", { key: null })).status).toBe(200);
    expect((await api("GET", "/openapi.json", { key: null })).status).toBe(200);
  });
});

describe("workflow CRUD", () => {
  it("creates from YAML, answers 409 for the same id, and gets it back with its source", async () => {
    const created = await api("POST", "/v1/workflows", { yaml: minimalYaml("crud-yaml") });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: "crud-yaml", version: 1, latest_version: 1, step_count: 1 });
    expect(created.headers.get("location")).toBe("/v1/workflows/crud-yaml");

    const again = await api("POST", "/v1/workflows", { yaml: minimalYaml("crud-yaml") });
    expect(again.status).toBe(409);
    expect(envelope(again).code).toBe("conflict");

    const got = await api<{ source: string; source_format: string; definition: { steps: unknown[] } }>(
      "GET",
      "/v1/workflows/crud-yaml",
    );
    expect(got.status).toBe(200);
    expect(got.body.source_format).toBe("yaml");
    expect(got.body.source).toBe(minimalYaml("crud-yaml"));
    expect(got.body.definition.steps).toHaveLength(1);
  });

  it("creates from JSON", async () => {
    const res = await api("POST", "/v1/workflows", {
      json: {
        id: "crud-json",
        name: "JSON one",
        start_step: "ask",
        steps: [{ id: "ask", type: "form", fields: [{ name: "a", type: "integer" }] }],
      },
    });
    expect(res.status).toBe(201);
    const got = await api<{ source_format: string }>("GET", "/v1/workflows/crud-json");
    expect(got.body.source_format).toBe("json");
  });

  it("keeps every version: PUT adds one, GET ?version=N returns old ones", async () => {
    await api("POST", "/v1/workflows", { yaml: minimalYaml("versioned", "First") });
    const put = await api("PUT", "/v1/workflows/versioned", { yaml: minimalYaml("versioned", "Second") });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ version: 2, latest_version: 2 });

    const latest = await api<{ version: number; source: string }>("GET", "/v1/workflows/versioned");
    expect(latest.body.version).toBe(2);
    expect(latest.body.source).toContain("Second");
    const v1 = await api<{ version: number; source: string }>("GET", "/v1/workflows/versioned?version=1");
    expect(v1.body.version).toBe(1);
    expect(v1.body.source).toContain("First");
    const v9 = await api("GET", "/v1/workflows/versioned?version=9");
    expect(v9.status).toBe(404);
    const bad = await api("GET", "/v1/workflows/versioned?version=zero");
    expect(bad.status).toBe(422);
    expect(envelope(bad).details?.[0]?.path).toBe("version");
  });

  it("never loses or duplicates a version under concurrent PUTs: each answers 201 or 409", async () => {
    await api("POST", "/v1/workflows", { yaml: minimalYaml("raced") });
    const puts = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api("PUT", "/v1/workflows/raced", { yaml: minimalYaml("raced", `T${i}`) }),
      ),
    );
    const created = puts.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of puts) expect([201, 409]).toContain(r.status);
    const versions = created.map((r) => (r.body as { version: number }).version);
    expect(new Set(versions).size).toBe(versions.length);
    const latest = await api<{ version: number }>("GET", "/v1/workflows/raced");
    expect(latest.body.version).toBe(1 + created.length);
  });

  it("rejects a PUT whose body names another id, and a PUT of an unknown workflow", async () => {
    await api("POST", "/v1/workflows", { yaml: minimalYaml("put-mismatch") });
    const res = await api("PUT", "/v1/workflows/put-mismatch", { yaml: minimalYaml("other-id") });
    expect(res.status).toBe(422);
    expect(envelope(res).details?.[0]?.path).toBe("id");
    const missing = await api("PUT", "/v1/workflows/never-made", { yaml: minimalYaml("never-made") });
    expect(missing.status).toBe(404);
  });

  it("soft deletes: gone from GET and lists, versions kept, id can be created again as the next version", async () => {
    await api("POST", "/v1/workflows", { yaml: minimalYaml("to-delete") });
    const del = await api("DELETE", "/v1/workflows/to-delete");
    expect(del.status).toBe(204);
    expect((await api("GET", "/v1/workflows/to-delete")).status).toBe(404);
    expect((await api("DELETE", "/v1/workflows/to-delete")).status).toBe(404);
    const list = await api<{ items: Array<{ id: string }> }>("GET", "/v1/workflows?limit=100");
    expect(list.body.items.map((w) => w.id)).not.toContain("to-delete");
    const revived = await api("POST", "/v1/workflows", { yaml: minimalYaml("to-delete") });
    expect(revived.status).toBe(201);
    expect(revived.body).toMatchObject({ version: 2 });
  });

  it("paginates with a cursor without repeating or skipping", async () => {
    for (let i = 0; i < 5; i++) await api("POST", "/v1/workflows", { yaml: minimalYaml(`page-${i}`) });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await api<{ items: Array<{ id: string }>; next_cursor: string | null }>(
        "GET",
        `/v1/workflows?limit=2${q}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((w) => w.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    const pageIds = seen.filter((id) => id.startsWith("page-"));
    expect(pageIds).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("rejects bad pagination parameters with 400/422, not 500", async () => {
    const badCursor = await api("GET", "/v1/workflows?cursor=%%%");
    expect(badCursor.status).toBe(400);
    expect(envelope(badCursor).details?.[0]?.path).toBe("cursor");
    for (const q of ["limit=0", "limit=101", "limit=abc"]) {
      const res = await api("GET", `/v1/workflows?${q}`);
      expect(res.status, q).toBe(422);
      expect(envelope(res).details?.[0]?.path).toBe("limit");
    }
  });

  it("rejects an invalid workflow id in the path", async () => {
    const res = await api("GET", "/v1/workflows/Not_Valid!");
    expect(res.status).toBe(422);
  });
});

describe("validation and malformed bodies", () => {
  it("validates without saving", async () => {
    const ok = await api("POST", "/v1/workflows/validate", { yaml: minimalYaml("not-saved") });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, id: "not-saved" });
    expect((await api("GET", "/v1/workflows/not-saved")).status).toBe(404);
  });

  it("answers 422 with every problem, its path and YAML line/column", async () => {
    const yaml = `id: broken
name: Broken
start_step: ask
steps:
  - id: ask
    type: form
    fields: []
    next: nowhere
  - id: ask
    type: form
    fields: []
`;
    const res = await api("POST", "/v1/workflows/validate", { yaml });
    expect(res.status).toBe(422);
    const err = envelope(res);
    expect(err.code).toBe("validation_failed");
    const next = err.details?.find((d) => d.path === "steps[0].next");
    expect(next).toMatchObject({ line: 8 });
    expect(err.details?.some((d) => String(d.path).startsWith("steps[1]"))).toBe(true);
  });

  it("answers malformed input with a 4xx envelope, never a 5xx", async () => {
    const cases: Array<{ name: string; body: BodyInit; type?: string }> = [
      { name: "broken JSON", body: "{not json", type: "application/json" },
      { name: "JSON array", body: "[1,2,3]", type: "application/json" },
      { name: "JSON string", body: '"hello"', type: "application/json" },
      { name: "JSON null", body: "null", type: "application/json" },
      { name: "empty JSON", body: "", type: "application/json" },
      { name: "broken YAML", body: "id: [unclosed\n  - : :", type: "application/yaml" },
      { name: "YAML scalar", body: "just a string", type: "application/yaml" },
      { name: "empty YAML", body: "", type: "application/yaml" },
      { name: "YAML list", body: "- a\n- b", type: "application/yaml" },
      { name: "text/plain", body: "id: x", type: "text/plain" },
      { name: "no content type", body: "id: x" },
      { name: "binary", body: new Uint8Array([0, 255, 254, 1, 2, 3]), type: "application/yaml" },
      { name: "deep JSON", body: `${"[".repeat(5000)}${"]".repeat(5000)}`, type: "application/json" },
      {
        name: "deep JSON object",
        body: `{"id":"deep","context":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`,
        type: "application/json",
      },
      {
        name: "lone surrogate",
        body: '{"id":"sur","name":"bad \\udc00","start_step":"a"}',
        type: "application/json",
      },
      { name: "deep YAML", body: `${"[".repeat(2000)}${"]".repeat(2000)}`, type: "application/yaml" },
      {
        name: "proto keys",
        body: '{"__proto__":{"x":1},"constructor":{"prototype":{}}}',
        type: "application/json",
      },
      {
        name: "unicode id",
        body: '{"id":"\u202eevil","name":"x","start_step":"a","steps":[]}',
        type: "application/json",
      },
    ];
    for (const c of cases) {
      const headers: Record<string, string> = c.type ? { "content-type": c.type } : {};
      const res = await api("POST", "/v1/workflows", { body: c.body, headers });
      expect(res.status, c.name).toBeGreaterThanOrEqual(400);
      expect(res.status, c.name).toBeLessThan(500);
      expect(envelope(res).message.length, c.name).toBeGreaterThan(0);
    }
  });

  it("refuses a YAML string that spells a lone surrogate, which could not be stored intact", async () => {
    const yaml = minimalYaml("surrogate").replace("name: Minimal surrogate", 'name: "bad \\udc00 name"');
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status).toBe(422);
    expect(envelope(res).details?.[0]).toMatchObject({ path: "name" });
  });

  it("answers 413 for a body over 1 MiB, declared or streamed", async () => {
    const big = "a".repeat(1024 * 1024 + 10);
    const res = await api("POST", "/v1/workflows", {
      body: big,
      headers: { "content-type": "application/yaml" },
    });
    expect(res.status).toBe(413);
    expect(envelope(res).code).toBe("payload_too_large");
  });

  it("answers 422 for a YAML definition over 64 KiB", async () => {
    const yaml = `${minimalYaml("too-big")}\n# ${"x".repeat(70 * 1024)}\n`;
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status).toBe(422);
    expect(envelope(res).message + JSON.stringify(envelope(res).details)).toMatch(/64 KiB/);
  });

  it("answers unknown routes with a 404 envelope", async () => {
    const res = await api("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(envelope(res).code).toBe("not_found");
  });
});

describe("OpenAPI", () => {
  it("is an OpenAPI 3.1 document listing every route with its error responses", async () => {
    const res = await api<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    }>("GET", "/openapi.json", { key: null });
    expect(res.body.openapi).toBe("3.1.0");
    const routes = Object.entries(res.body.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    for (const r of [
      "post /v1/workflows",
      "get /v1/workflows",
      "get /v1/workflows/{id}",
      "put /v1/workflows/{id}",
      "delete /v1/workflows/{id}",
      "post /v1/workflows/validate",
      "get /health",
      "post /v1/executions",
      "get /v1/executions",
      "get /v1/executions/{run_id}",
      "post /v1/executions/{run_id}/resume",
      "post /v1/executions/{run_id}/cancel",
      "get /v1/executions/{run_id}/history",
      "get /v1/executions/{run_id}/context",
      "get /v1/executions/{run_id}/events",
    ]) {
      expect(routes).toContain(r);
    }
    for (const [p, ops] of Object.entries(res.body.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses), `${m} ${p}`).toContain("500");
        if (p.startsWith("/v1/")) {
          expect(Object.keys(op.responses), `${m} ${p}`).toContain("401");
          expect(op.security, `${m} ${p}`).toEqual([{ bearerAuth: [] }]);
        }
      }
    }
    expect(res.body.components.securitySchemes.bearerAuth).toBeDefined();
    expect(res.body.components.schemas.Error).toBeDefined();
  });

  it("serves interactive docs", async () => {
    const res = await api("GET", "/docs", { key: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain("/openapi.json");
  });

  it("reports health with D1 reachable and a request id", async () => {
    const res = await api("GET", "/health", { key: null });
    expect(res.body).toMatchObject({ status: "ok", d1: "ok" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
