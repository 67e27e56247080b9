import { describe, expect, it } from "vitest";
import { roleAllows } from "../../src/api/middleware/roles";
import { parseApiKeys } from "../../src/config/env";
import { api } from "../helpers/api";

const OPERATOR = "operator-key-789";
const READER = "reader-key-000";

const yaml = (id: string) => `
id: ${id}
name: Roles check
start_step: ask
steps:
  - id: ask
    type: form
    fields:
      - { name: note, type: string }
`;

describe("API key roles", () => {
  it("parses name:key[:role], defaulting to admin, and keeps colons inside keys", () => {
    expect(parseApiKeys("a:key-aaaa-1,b:key-bbbb-2:operator,c:key:with:colons:reader,d:key:colon-x")).toEqual(
      [
        { name: "a", key: "key-aaaa-1", role: "admin" },
        { name: "b", key: "key-bbbb-2", role: "operator" },
        { name: "c", key: "key:with:colons", role: "reader" },
        { name: "d", key: "key:colon-x", role: "admin" },
      ],
    );
    expect(() => parseApiKeys("a:short:reader")).toThrow(/entry 1 is malformed/);
  });

  it("is one table: admin everything, operator runs, reader GET only", () => {
    expect(roleAllows("admin", "DELETE", "/v1/workflows/x")).toBe(true);
    expect(roleAllows("operator", "POST", "/v1/executions")).toBe(true);
    expect(roleAllows("operator", "POST", "/v1/executions/run_1/resume")).toBe(true);
    expect(roleAllows("operator", "POST", "/v1/executions/run_1/cancel")).toBe(true);
    expect(roleAllows("operator", "POST", "/v1/workflows")).toBe(false);
    expect(roleAllows("operator", "PUT", "/v1/workflows/x")).toBe(false);
    expect(roleAllows("operator", "DELETE", "/v1/workflows/x")).toBe(false);
    expect(roleAllows("reader", "GET", "/v1/executions/run_1")).toBe(true);
    expect(roleAllows("reader", "POST", "/v1/executions")).toBe(false);
    expect(roleAllows("reader", "POST", "/v1/workflows/validate")).toBe(false);
  });

  it("answers 403 forbidden for a route the key's role may not use, and lets it do the rest", async () => {
    const denied = await api("POST", "/v1/workflows", { yaml: yaml("roles-op"), key: OPERATOR });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: "forbidden" } });
    expect(JSON.stringify(denied.body)).toContain("role operator");

    expect((await api("POST", "/v1/workflows", { yaml: yaml("roles-op") })).status).toBe(201);
    const started = await api<{ run_id: string; status: string }>("POST", "/v1/executions", {
      json: { workflow_id: "roles-op" },
      key: OPERATOR,
    });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe("waiting");

    const read = await api("GET", `/v1/executions/${started.body.run_id}`, { key: READER });
    expect(read.status).toBe(200);
    const readerStart = await api("POST", "/v1/executions", {
      json: { workflow_id: "roles-op" },
      key: READER,
    });
    expect(readerStart.status).toBe(403);
    const readerCancel = await api("POST", `/v1/executions/${started.body.run_id}/cancel`, { key: READER });
    expect(readerCancel.status).toBe(403);
    expect((await api("GET", `/v1/executions/${started.body.run_id}`)).body).toMatchObject({
      status: "waiting",
    });

    const cancelled = await api("POST", `/v1/executions/${started.body.run_id}/cancel`, { key: OPERATOR });
    expect(cancelled.status).toBe(200);
  });
});
