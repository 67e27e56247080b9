import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../helpers/api";
import { httpHits, httpServerBase } from "../helpers/fake-servers";
import { runDb } from "../helpers/run-db";
import { type RunStatus, resumeRun, startRun } from "../helpers/runs";

// api_call steps inside real runs: the Durable Object calls the local fake HTTP server (test/fakes).

const SECRET = "s3cr3t-value-never-logged";

// A person fills a form; the run posts it to an API with a bearer secret, then branches on the answer.
const PUBLISH = `
id: publish-flow
name: Publish flow
start_step: ask
steps:
  - id: ask
    type: form
    fields:
      - { name: title, type: string, required: true }
      - { name: count, type: integer, default: 2 }
    next: post
  - id: post
    type: api_call
    method: POST
    url: "${httpServerBase}/echo?key={{run.id}}"
    query: { topic: "{{runtime.title}}" }
    headers:
      Authorization: "Bearer {{secrets.TEST_TOKEN}}"
      Idempotency-Key: "{{run.id}}-{{run.step_id}}"
    body:
      title: "{{runtime.title}}"
      count: "{{runtime.count}}"
      note: "signed with {{secrets.TEST_TOKEN}}"
    output: echo
    next: check
  - id: check
    type: conditional
    branches:
      - when: "runtime.echo.status == 200 && runtime.echo.body.body.title == runtime.title"
        next: confirm
    default: ask
  - id: confirm
    type: approval
    approvers: ["lead@acme.test"]
    instructions: "Published '{{runtime.echo.body.body.title}}'"
    output: confirm
`;

/** A run that starts with one api_call step against `path` on the fake server. */
const single = (id: string, path: string, extra = "") => `
id: ${id}
name: ${id}
start_step: call
steps:
  - id: call
    type: api_call
    method: GET
    url: "${httpServerBase}${path}"
    headers: { Authorization: "Bearer {{secrets.TEST_TOKEN}}" }
${extra}`;

const FLAKY = single("flaky-call", "/flaky/{{run.id}}/2", "    retry: { max: 3 }\n    output: result\n");
const BAD_REQUEST = single("bad-request-call", "/status/400?key={{run.id}}", "    retry: { max: 3 }\n");
const DOWN = single("down-call", "/status/503?key={{run.id}}", "    retry: { max: 1 }\n");
const SLOW = single("slow-call", "/slow/3000", "    timeout: 200ms\n");
const TOLERANT = `${single(
  "tolerant-call",
  "/status/404?key={{run.id}}",
  "    fail_on_status: false\n    output: lookup\n    next: route\n",
)}  - id: route
    type: conditional
    branches:
      - when: "runtime.lookup.status == 404"
        next: missing
    default: found
  - id: missing
    type: form
    title: Not found — what now?
    fields: [{ name: action, type: string }]
  - id: found
    type: form
    fields: [{ name: ok, type: boolean }]
`;
const PROBE = `
id: probe-call
name: Probe engine secrets
start_step: call
steps:
  - id: call
    type: api_call
    method: POST
    url: "${httpServerBase}/echo"
    headers:
      X-Keys: "[{{secrets.API_KEYS}}]"
      X-Token-Keys: "[{{secrets.RESUME_TOKEN_SECRETS}}]"
      X-Prefixed: "[{{secrets.SECRET_TEST_TOKEN}}]"
    body:
      keys: "[{{secrets.API_KEYS}}]"
      proto: "[{{secrets.constructor}}][{{secrets.__proto__}}]"
      db: "[{{secrets.DB}}]"
    output: probe
`;

interface History {
  steps: Array<{
    step_id: string;
    status: string;
    attempts: Array<{ input?: Record<string, unknown>; output?: unknown; error?: unknown; meta?: unknown }>;
  }>;
}

const read = <T>(runId: string, what: "" | "/history" | "/context" | "/events") =>
  api<T>("GET", `/v1/executions/${runId}${what}`);

/** Everything a user or an operator can read about a run: API answers and its D1 rows. */
async function everythingAbout(runId: string): Promise<string> {
  const parts: string[] = [];
  for (const what of ["", "/history", "/context", "/events"] as const) {
    const res = await read(runId, what);
    expect(res.status).toBe(200);
    parts.push(res.text);
  }
  parts.push((await api("GET", `/v1/executions?limit=100`)).text);
  for (const table of ["runs", "run_steps", "events", "mail_outbox", "resume_tokens"]) {
    const column = table === "runs" ? "id" : "run_id";
    const rows = await runDb(runId).prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).bind(runId).all();
    parts.push(JSON.stringify(rows.results));
  }
  return parts.join("\n");
}

const forms = (value: string) => [value, encodeURIComponent(value), btoa(value)];

let logged: string[] = [];

beforeAll(async () => {
  for (const yaml of [PUBLISH, FLAKY, BAD_REQUEST, DOWN, SLOW, TOLERANT, PROBE]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

function captureLogs(): void {
  logged = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
}

describe("an api_call step inside a run", () => {
  it("posts the form's data with the secret bearer token, stores the answer and goes on", async () => {
    expect((env as unknown as Record<string, unknown>).SECRET_TEST_TOKEN).toBe(SECRET);
    captureLogs();
    const started = await startRun("publish-flow");
    expect(started.status).toBe(202);
    const run = started.body;
    expect(run).toMatchObject({ status: "waiting", current_step: "ask" });

    const res = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { title: "Launch & go" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: "waiting", current_step: "confirm" });
    expect(await httpHits(run.run_id)).toBe(1);

    const ctx = await read<{
      runtime: { echo: { status: number; headers: Record<string, string>; body: Record<string, unknown> } };
    }>(run.run_id, "/context");
    const echo = ctx.body.runtime.echo;
    expect(echo.status).toBe(200);
    expect(echo.headers["content-type"]).toContain("application/json");
    const sent = echo.body as {
      method: string;
      headers: Record<string, string>;
      query: Record<string, string>;
      body: Record<string, unknown>;
    };
    expect(sent.method).toBe("POST");
    expect(sent.query).toEqual({ key: run.run_id, topic: "Launch & go" });
    expect(sent.body).toEqual({ title: "Launch & go", count: "2", note: "signed with [redacted]" });
    expect(sent.headers["idempotency-key"]).toBe(`${run.run_id}-post`);
    // The server got the real secret (the server's echo of it is what was redacted).
    expect(sent.headers.authorization).toBe("Bearer [redacted]");

    const history = await read<History>(run.run_id, "/history");
    expect(history.body.steps.map((s) => `${s.step_id}:${s.status}`)).toEqual([
      "ask:completed",
      "post:completed",
      "check:completed",
      "confirm:waiting",
    ]);
    const post = history.body.steps[1]?.attempts[0];
    expect(post?.input).toMatchObject({
      method: "POST",
      headers: { authorization: "Bearer [redacted]" },
      body: { note: "signed with [redacted]" },
    });
    expect(post?.meta).toMatchObject({ attempts: 1 });

    const all = await everythingAbout(run.run_id);
    for (const form of forms(SECRET)) expect(all).not.toContain(form);
    // The check means something only if the run's own log lines were captured.
    expect(logged.some((line) => line.includes(`"run_id":"${run.run_id}"`))).toBe(true);
    for (const line of logged) expect(line).not.toContain(SECRET);
  });

  it("retries a flaky 503 and completes with the third answer", async () => {
    const res = await startRun("flaky-call");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "completed", current_step: null });
    const runId = res.body.run_id;
    expect(await httpHits(runId)).toBe(3);
    const ctx = await read<{ runtime: { result: { status: number; body: unknown } } }>(runId, "/context");
    expect(ctx.body.runtime.result).toMatchObject({ status: 200, body: { ok: true, hit: 3 } });
    const history = await read<History>(runId, "/history");
    expect(history.body.steps[0]?.attempts[0]?.meta).toMatchObject({ attempts: 3 });
    const events = await read<{ items: Array<{ type: string }> }>(runId, "/events");
    expect(events.body.items.map((e) => e.type)).toEqual([
      "run.created",
      "run.started",
      "step.started",
      "step.completed",
      "run.completed",
    ]);
    expect(await everythingAbout(runId)).not.toContain(SECRET);
  });

  it("fails the run on a 400 without retrying, with the status in the error", async () => {
    const res = await startRun("bad-request-call");
    expect(res.body.status).toBe("failed");
    const runId = res.body.run_id;
    expect(await httpHits(runId)).toBe(1);
    const status = await read<RunStatus>(runId, "");
    expect(status.body.error).toMatchObject({ code: "http_error", step_id: "call" });
    expect(status.body.error?.message).toContain("400");
    expect(status.body.error?.details?.[0]).toMatchObject({ status: 400, body: { status: 400 } });
    const history = await read<History>(runId, "/history");
    expect(history.body.steps.map((s) => `${s.step_id}:${s.status}`)).toEqual(["call:failed"]);
    // The secret was in a header: the stored request shows it redacted.
    expect(history.body.steps[0]?.attempts[0]?.input?.headers).toMatchObject({
      authorization: "Bearer [redacted]",
    });
    const all = await everythingAbout(runId);
    for (const form of forms(SECRET)) expect(all).not.toContain(form);
  });

  it("fails the run when a 5xx outlasts the retries, and when an attempt times out", async () => {
    const down = await startRun("down-call");
    expect(down.body.status).toBe("failed");
    expect(await httpHits(down.body.run_id)).toBe(2);
    const downStatus = await read<RunStatus>(down.body.run_id, "");
    expect(downStatus.body.error).toMatchObject({ code: "http_error", step_id: "call" });
    expect(downStatus.body.error?.message).toMatch(/503.*after 2 attempts/);

    const slow = await startRun("slow-call");
    expect(slow.body.status).toBe("failed");
    const slowStatus = await read<RunStatus>(slow.body.run_id, "");
    expect(slowStatus.body.error).toMatchObject({ code: "timeout", step_id: "call" });
    expect(slowStatus.body.error?.message).toMatch(/timed out after 200 ms/);
  });

  it("continues past a 4xx when fail_on_status is false, so the workflow can branch on it", async () => {
    const res = await startRun("tolerant-call");
    expect(res.body).toMatchObject({ status: "waiting", current_step: "missing" });
    const ctx = await read<{ runtime: { lookup: { status: number; body: unknown } } }>(
      res.body.run_id,
      "/context",
    );
    expect(ctx.body.runtime.lookup).toMatchObject({ status: 404, body: { status: 404 } });
  });

  it("cannot read engine secrets or other bindings: only SECRET_* are workflow secrets", async () => {
    const res = await startRun("probe-call");
    expect(res.body.status).toBe("completed");
    const ctx = await read<{
      runtime: { probe: { body: { headers: Record<string, string>; body: unknown } } };
    }>(res.body.run_id, "/context");
    const seen = ctx.body.runtime.probe.body;
    expect(seen.headers["x-keys"]).toBe("[]");
    expect(seen.headers["x-token-keys"]).toBe("[]");
    expect(seen.headers["x-prefixed"]).toBe("[]");
    expect(seen.body).toEqual({ keys: "[]", proto: "[][]", db: "[]" });
    const all = await everythingAbout(res.body.run_id);
    for (const value of [env.API_KEYS, env.RESUME_TOKEN_SECRETS, "test-key-123", "test-secret-two"]) {
      expect(all).not.toContain(value);
    }
  });

  it("refuses {{secrets.*}} outside api_call steps when the workflow is saved", async () => {
    const res = await api<{ error: { details: Array<{ path: string; message: string }> } }>(
      "POST",
      "/v1/workflows/validate",
      {
        yaml: `
id: leaky
name: Leaky
start_step: ask
steps:
  - id: ask
    type: approval
    approvers: ["lead@acme.test"]
    instructions: "The token is {{secrets.TEST_TOKEN}}"
`,
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]?.message).toMatch(/secrets/);
  });
});
