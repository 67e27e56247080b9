import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ApiCallStep } from "../../src/definitions/types";
import {
  API_CALL_BACKOFF,
  type ApiCallDeps,
  type ApiCallView,
  executeApiCall,
} from "../../src/executors/api-call";
import { backoffDelayMs } from "../../src/lib/backoff";
import { collectWorkflowSecrets, redactSecrets } from "../../src/lib/secrets";
import { httpHits, httpServerBase } from "../helpers/fake-servers";

const SECRET = "s3cr3t-value-never-logged";

const view: ApiCallView = {
  static: { company: "Acme" },
  profile: { email: "ada@acme.test" },
  runtime: { query: "cats & dogs/birds", id: "a/b?c", title: "Hello", count: 3 },
  run: { id: "run_123", step_id: "publish" },
};

const step = (over: Partial<ApiCallStep>): ApiCallStep => ({
  id: "publish",
  type: "api_call",
  method: "GET",
  url: `${httpServerBase}/echo`,
  retry: { max: 0 },
  fail_on_status: true,
  store: true,
  ...over,
});

/** Real fetch and real secrets; sleeps are recorded instead of waited. */
function deps(extra: Partial<ApiCallDeps> = {}): ApiCallDeps & { delays: number[] } {
  const delays: number[] = [];
  return {
    secrets: collectWorkflowSecrets(env),
    allowedHosts: env.SECRETS_ALLOWED_HOSTS,
    sleep: async (ms) => {
      delays.push(ms);
    },
    delays,
    ...extra,
  };
}

let keySeq = 0;
const uniqueKey = (name: string): string => `${name}-${Date.now()}-${keySeq++}`;

describe("api_call retries", () => {
  it("retries 503s with backoff and completes on the third attempt", async () => {
    const key = uniqueKey("flaky");
    const d = deps();
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/flaky/${key}/2`, retry: { max: 3 } }),
      view,
      d,
    );
    expect(out.status).toBe("completed");
    expect(out.attempts).toBe(3);
    if (out.status !== "completed") return;
    expect(out.output.status).toBe(200);
    expect(out.output.body).toEqual({ ok: true, hit: 3 });
    expect(await httpHits(key)).toBe(3);
    // Exponential with jitter: first wait in [250, 500], second in [500, 1000].
    expect(d.delays).toHaveLength(2);
    expect(d.delays[0]).toBeGreaterThanOrEqual(250);
    expect(d.delays[0]).toBeLessThanOrEqual(500);
    expect(d.delays[1]).toBeGreaterThanOrEqual(500);
    expect(d.delays[1]).toBeLessThanOrEqual(1000);
  });

  it("fails with the last 5xx once retries are used up", async () => {
    const key = uniqueKey("down");
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/flaky/${key}/10`, retry: { max: 2 } }),
      view,
      deps(),
    );
    expect(out.status).toBe("failed");
    expect(out.attempts).toBe(3);
    expect(await httpHits(key)).toBe(3);
    if (out.status !== "failed") return;
    expect(out.error.code).toBe("http_error");
    expect(out.error.status).toBe(503);
    expect(out.error.body).toEqual({ error: "temporarily unavailable", hit: 3 });
    expect(out.error.message).toContain("503");
    expect(out.error.message).toContain("after 3 attempts");
  });

  it("never retries a 4xx and fails the step with its status and body", async () => {
    const key = uniqueKey("bad");
    const d = deps();
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/status/400?key=${key}`, retry: { max: 3 } }),
      view,
      d,
    );
    expect(out.status).toBe("failed");
    expect(out.attempts).toBe(1);
    expect(await httpHits(key)).toBe(1);
    expect(d.delays).toEqual([]);
    if (out.status !== "failed") return;
    expect(out.error).toMatchObject({ code: "http_error", status: 400, body: { status: 400 } });
  });

  it("completes with the 4xx result when fail_on_status is false, but still fails a 5xx", async () => {
    const notFound = await executeApiCall(
      step({ url: `${httpServerBase}/status/404`, fail_on_status: false }),
      view,
      deps(),
    );
    expect(notFound.status).toBe("completed");
    if (notFound.status === "completed") {
      expect(notFound.output.status).toBe(404);
      expect(notFound.output.body).toEqual({ status: 404, message: "you asked for 404" });
      expect(notFound.output.headers["content-type"]).toContain("application/json");
    }
    const broken = await executeApiCall(
      step({ url: `${httpServerBase}/status/500`, fail_on_status: false, retry: { max: 1 } }),
      view,
      deps(),
    );
    expect(broken.status).toBe("failed");
    expect(broken.attempts).toBe(2);
  });

  it("times out each attempt, retries, then fails with a clear timeout message", async () => {
    const key = uniqueKey("slow");
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/slow/3000?key=${key}`, timeout_ms: 200, retry: { max: 1 } }),
      view,
      deps(),
    );
    expect(out.status).toBe("failed");
    expect(out.attempts).toBe(2);
    expect(await httpHits(key)).toBe(2);
    if (out.status !== "failed") return;
    expect(out.error.code).toBe("timeout");
    expect(out.error.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/slow\/3000 timed out after 200 ms/);
  });

  it("completes when the server answers within the timeout", async () => {
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/slow/50`, timeout_ms: 2000 }),
      view,
      deps(),
    );
    expect(out.status).toBe("completed");
  });

  it("reports a network error when nothing listens", async () => {
    const out = await executeApiCall(step({ url: "http://127.0.0.1:1/nothing" }), view, deps());
    expect(out).toMatchObject({ status: "failed", attempts: 1, error: { code: "network_error" } });
    if (out.status === "failed")
      expect(out.error.message).toContain("GET http://127.0.0.1:1/nothing failed:");
  });

  it("retries a network error and completes when the next attempt goes through", async () => {
    let calls = 0;
    const dropsFirst: typeof fetch = (input, init) => {
      calls++;
      if (calls === 1) return Promise.reject(new TypeError("Network connection lost."));
      return fetch(input, init);
    };
    const out = await executeApiCall(step({ retry: { max: 2 } }), view, deps({ fetch: dropsFirst }));
    expect(out).toMatchObject({ status: "completed", attempts: 2, output: { status: 200 } });
    expect(calls).toBe(2);
  });

  it("backs off exponentially, capped at 10 s", () => {
    const backoffMs = (retry: number, random: () => number) =>
      backoffDelayMs(API_CALL_BACKOFF, retry, random);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, () => 0.999999))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(1, () => 0)).toBe(250);
    expect(backoffMs(30, () => 0.999999)).toBe(10_000);
  });
});

describe("api_call requests", () => {
  it("renders url, query, headers and body from the run, URL-encoding interpolated values", async () => {
    const out = await executeApiCall(
      step({
        method: "POST",
        url: `${httpServerBase}/echo/{{runtime.id}}`,
        query: { q: "{{runtime.query}}", company: "{{static.company}}" },
        headers: { "X-Owner": "{{profile.email}}", "Idempotency-Key": "{{run.id}}-{{run.step_id}}" },
        body: { title: "{{runtime.title}} from {{static.company}}", tags: ["{{runtime.query}}"], count: 3 },
      }),
      view,
      deps(),
    );
    expect(out.status).toBe("completed");
    if (out.status !== "completed") return;
    const echo = out.output.body as Record<string, unknown> & { headers: Record<string, string> };
    expect(echo.method).toBe("POST");
    expect(echo.path).toBe("/echo/a%2Fb%3Fc");
    expect(echo.query).toEqual({ q: "cats & dogs/birds", company: "Acme" });
    expect(echo.raw_query).toContain("q=cats+%26+dogs%2Fbirds");
    expect(echo.headers["x-owner"]).toBe("ada@acme.test");
    expect(echo.headers["idempotency-key"]).toBe("run_123-publish");
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.body).toEqual({ title: "Hello from Acme", tags: ["cats & dogs/birds"], count: 3 });
    expect(out.request).toMatchObject({
      method: "POST",
      body: { title: "Hello from Acme", tags: ["cats & dogs/birds"], count: 3 },
      headers: { "idempotency-key": "run_123-publish" },
    });
    expect(out.request.url).toBe(`${httpServerBase}/echo/a%2Fb%3Fc?q=cats+%26+dogs%2Fbirds&company=Acme`);
  });

  it("sends a string body as text and keeps a given Content-Type", async () => {
    const text = await executeApiCall(step({ method: "PUT", body: "Dear {{profile.email}}" }), view, deps());
    expect(text.status).toBe("completed");
    if (text.status !== "completed") return;
    const echo = text.output.body as { raw_body: string; headers: Record<string, string> };
    expect(echo.raw_body).toBe("Dear ada@acme.test");
    expect(echo.headers["content-type"]).toContain("text/plain");

    const custom = await executeApiCall(
      step({ method: "POST", headers: { "Content-Type": "application/vnd.acme+json" }, body: { a: 1 } }),
      view,
      deps(),
    );
    if (custom.status !== "completed") throw new Error("expected completed");
    const customEcho = custom.output.body as { raw_body: string; headers: Record<string, string> };
    expect(customEcho.headers["content-type"]).toBe("application/vnd.acme+json");
    expect(customEcho.raw_body).toBe('{"a":1}');
  });

  it("parses JSON responses, keeps text as text and gives null for an empty body", async () => {
    const text = await executeApiCall(step({ url: `${httpServerBase}/text` }), view, deps());
    if (text.status !== "completed") throw new Error("expected completed");
    expect(text.output.body).toBe("hello, plain text");
    expect(text.output.headers["x-fake"]).toBe("text");

    const json = await executeApiCall(step({ url: `${httpServerBase}/status/201` }), view, deps());
    if (json.status !== "completed") throw new Error("expected completed");
    expect(json.output).toMatchObject({ status: 201, body: { status: 201 } });

    const empty = await executeApiCall(
      step({ method: "DELETE", url: `${httpServerBase}/status/204` }),
      view,
      deps(),
    );
    if (empty.status !== "completed") throw new Error("expected completed");
    expect(empty.output).toMatchObject({ status: 204, body: null });
  });

  it("refuses non-http(s) URLs before any request is made", async () => {
    let fetched = 0;
    const counting: typeof fetch = (input, init) => {
      fetched++;
      return fetch(input, init);
    };
    const runtime = { ...view.runtime, target: "file:///etc/passwd" };
    for (const url of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "{{{runtime.target}}}",
      "{{runtime.target}}",
      "not a url",
    ]) {
      const out = await executeApiCall(step({ url }), { ...view, runtime }, deps({ fetch: counting }));
      expect(out.status, url).toBe("failed");
      expect(out.attempts).toBe(0);
      if (out.status === "failed") {
        expect(out.error.code).toBe("invalid_request");
        expect(out.error.message).toContain("http(s)");
      }
    }
    expect(fetched).toBe(0);
  });

  it("refuses a body on GET and a bad template with a clear message", async () => {
    const get = await executeApiCall(step({ body: { a: 1 } }), view, deps());
    expect(get).toMatchObject({
      status: "failed",
      error: { code: "invalid_request", message: "a GET request cannot have a body" },
    });
    const bad = await executeApiCall(step({ headers: { "X-A": "{{#runtime.title}}" } }), view, deps());
    expect(bad).toMatchObject({ status: "failed", error: { code: "invalid_request" } });
  });

  it("keeps a response up to 256 KiB and fails a bigger one with response_too_large", async () => {
    const kept = await executeApiCall(
      step({ url: `${httpServerBase}/big?bytes=${200 * 1024}` }),
      view,
      deps(),
    );
    expect(kept.status).toBe("completed");
    if (kept.status === "completed") expect(String(kept.output.body)).toHaveLength(200 * 1024);
    const over = await executeApiCall(
      step({ url: `${httpServerBase}/big?bytes=${300 * 1024}` }),
      view,
      deps(),
    );
    expect(over).toMatchObject({ status: "failed", error: { code: "response_too_large", status: 200 } });
    if (over.status === "failed") expect(over.error.message).toContain("store: false");
  });

  it("with store: false reads and keeps no body, however big, and completes with status and headers", async () => {
    const out = await executeApiCall(
      step({ url: `${httpServerBase}/big?type=json&bytes=${2 * 1024 * 1024}`, store: false }),
      view,
      deps(),
    );
    expect(out.status).toBe("completed");
    if (out.status === "completed") {
      expect(out.output).toMatchObject({ status: 200, body: null });
      expect(out.output.headers["content-type"]).toBe("application/json");
    }
  });

  it("fails clearly when the response body is over 1 MiB (text or JSON), without retrying", async () => {
    for (const path of ["/big", "/big?type=json"]) {
      const out = await executeApiCall(
        step({ url: `${httpServerBase}${path}`, retry: { max: 2 } }),
        view,
        deps(),
      );
      expect(out.status).toBe("failed");
      expect(out.attempts).toBe(1);
      if (out.status === "failed") {
        expect(out.error.code).toBe("response_too_large");
        expect(out.error.status).toBe(200);
        expect(out.error.message).toContain("256 KiB");
      }
    }
  });
});

describe("api_call secrets", () => {
  it("exposes SECRET_* bindings only", () => {
    const secrets = collectWorkflowSecrets(env);
    expect(secrets.TEST_TOKEN).toBe(SECRET);
    for (const name of [
      "API_KEYS",
      "RESUME_TOKEN_SECRETS",
      "OPENAI_API_KEY",
      "RESEND_API_KEY",
      "DB",
      "SECRET_TEST_TOKEN",
    ]) {
      expect(secrets, name).not.toHaveProperty(name);
    }
    const fake = { SECRET_A: "aaaa", SECRET_: "x", API_KEYS: "k", OTHER: "o" } as unknown as Env;
    expect(collectWorkflowSecrets(fake)).toEqual({ A: "aaaa" });
  });

  it("sends a secret to the server but never returns it, even when the server echoes it", async () => {
    const out = await executeApiCall(
      step({
        method: "POST",
        url: `${httpServerBase}/echo`,
        headers: {
          Authorization: "Bearer {{secrets.TEST_TOKEN}}",
          "X-Api-Keys": "[{{secrets.API_KEYS}}]",
          "X-Resume": "[{{secrets.RESUME_TOKEN_SECRETS}}]",
        },
        body: { token: "{{secrets.TEST_TOKEN}}" },
      }),
      view,
      deps(),
    );
    expect(out.status).toBe("completed");
    if (out.status !== "completed") return;
    const echo = out.output.body as {
      headers: Record<string, string>;
      body: unknown;
    };
    // What the server received: the secret was there (redaction only replaces the secret's value).
    expect(echo.headers.authorization).toBe("Bearer [redacted]");
    expect(echo.body).toEqual({ token: "[redacted]" });
    // Other bindings are unreachable: they render empty.
    expect(echo.headers["x-api-keys"]).toBe("[]");
    expect(echo.headers["x-resume"]).toBe("[]");
    expect(out.request.headers.authorization).toBe("Bearer [redacted]");
    expect(out.request.body).toEqual({ token: "[redacted]" });
    const stored = JSON.stringify(out);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain("test-key-123");
    expect(stored).not.toContain("test-secret-one");
  });

  it("keeps the secret out of error messages, error bodies and the request of a failed call", async () => {
    const unauthorized = await executeApiCall(
      step({
        url: `${httpServerBase}/status/401`,
        headers: { Authorization: "{{secrets.TEST_TOKEN}}" },
      }),
      view,
      deps(),
    );
    expect(unauthorized).toMatchObject({ status: "failed", error: { status: 401 } });
    // Some runtimes put what they were sent in their network error messages.
    const failing: typeof fetch = (_input, init) =>
      Promise.reject(new TypeError(`could not send ${new Headers(init?.headers).get("x-token")}`));
    const down = await executeApiCall(
      step({ url: "http://127.0.0.1:1/down", headers: { "X-Token": "{{secrets.TEST_TOKEN}}" } }),
      view,
      deps({ fetch: failing }),
    );
    expect(down).toMatchObject({ status: "failed", error: { code: "network_error" } });
    if (down.status === "failed") expect(down.error.message).toContain("could not send [redacted]");
    for (const out of [unauthorized, down]) expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it("redacts secrets deep inside values, in raw and URL-encoded form, ignoring very short values", () => {
    const secrets = { A: "p@ss word/1", SHORT: "abc" };
    const value = {
      list: ["x p@ss word/1 y", { deep: "p%40ss%20word%2F1" }, "p%40ss+word%2F1"],
      abc: "abc stays",
      n: 5,
    };
    expect(redactSecrets(value, secrets)).toEqual({
      list: ["x [redacted] y", { deep: "[redacted]" }, "[redacted]"],
      abc: "abc stays",
      n: 5,
    });
  });
});
