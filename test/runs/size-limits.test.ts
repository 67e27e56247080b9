import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_CONTEXT_BYTES, MAX_PROMPT_BYTES, MAX_RECIPIENTS } from "../../src/lib/limits";
import { api, envelope } from "../helpers/api";
import { alarmOf, runDb } from "../helpers/run-db";

// The size limits of docs/limits.md inside real runs: each fails its step with its own code, in one
// batch, and leaves no run running or waiting without a timer (and nothing that repeats).

const base = inject("httpServerUrl");

interface Status {
  run_id: string;
  status: string;
  current_step: string | null;
  error?: { code: string; message: string; step_id?: string };
  waiting?: { resume_token: string };
}

const APPROVERS = `
id: many-approvers
name: Many approvers
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["{{runtime.team}}"]
    output: sign
`;

const PROMPT = `
id: big-prompt
name: Big prompt
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "{{{runtime.doc}}}"
    mock: { mode: timeout }
    schema: { type: object }
    output: draft
`;

const GROW_BY_FORM = `
id: grow-by-form
name: Grow by form
start_step: ask
steps:
  - id: ask
    type: form
    fields: [{ name: note, type: string }]
    output: answer
    next: done
  - id: done
    type: form
    fields: [{ name: ok, type: boolean }]
`;

const GROW_BY_CALL = `
id: grow-by-call
name: Grow by api_call
start_step: call
steps:
  - id: call
    type: api_call
    method: POST
    url: "${base}/echo?key={{run.id}}"
    body: { pad: "{{runtime.pad}}" }
    output: echo
    next: after
  - id: after
    type: form
    fields: [{ name: ok, type: boolean }]
`;

const start = async (workflow: string, inputs: Record<string, unknown>) => {
  const res = await api<Status>("POST", "/v1/executions", { json: { workflow_id: workflow, inputs } });
  expect(res.status, res.text.slice(0, 300)).toBe(202);
  return res.body;
};
const status = async (runId: string) => (await api<Status>("GET", `/v1/executions/${runId}`)).body;
const stubOf = (runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));
const hits = async (key: string): Promise<number> => {
  const res = await fetch(`${base}/__hits/${encodeURIComponent(key)}`);
  return ((await res.json()) as { hits: number }).hits;
};

/** The invariant every failure here must keep: a run is finished, or its object has a timer set. */
async function expectAttended(runId: string): Promise<void> {
  const s = await status(runId);
  if (s.status === "running" || s.status === "waiting") expect(await alarmOf(runId)).not.toBeNull();
}

/** The run failed at `stepId` with `code`, its object keeps no timer, and an alarm changes nothing. */
async function expectFailedCleanly(runId: string, stepId: string, code: string): Promise<Status> {
  const s = await status(runId);
  expect(s).toMatchObject({ status: "failed", error: { code, step_id: stepId } });
  expect(await alarmOf(runId)).toBeNull();
  expect(await runDurableObjectAlarm(stubOf(runId))).toBe(false);
  expect((await status(runId)).status).toBe("failed");
  return s;
}

const team = (n: number) => Array.from({ length: n }, (_, i) => `member${i}@acme.test`).join(", ");

beforeAll(async () => {
  for (const yaml of [APPROVERS, PROMPT, GROW_BY_FORM, GROW_BY_CALL]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("recipients", () => {
  it(`more than ${MAX_RECIPIENTS} templated recipients fail the step with too_many_recipients`, async () => {
    // 120 addresses used to reach one sendBatch (Queues take 100): it threw after the batch had
    // committed and the run waited for good, its emails never queued.
    const run = await start("many-approvers", { team: team(120) });
    expect(run.status).toBe("failed");
    const s = await expectFailedCleanly(run.run_id, "sign", "too_many_recipients");
    expect(s.error?.message).toContain("120");
    const outbox = await runDb(run.run_id)
      .prepare("SELECT count(*) AS n FROM mail_outbox WHERE run_id = ?")
      .bind(run.run_id)
      .first<{ n: number }>();
    expect(outbox?.n).toBe(0);
  });

  it(`exactly ${MAX_RECIPIENTS} recipients wait, each with an email queued`, async () => {
    const run = await start("many-approvers", { team: team(MAX_RECIPIENTS) });
    expect(run.status).toBe("waiting");
    await expectAttended(run.run_id);
    const effects = await runInDurableObject(stubOf(run.run_id), (_i, state) => state.storage.get("effects"));
    expect(effects).toBeUndefined();
    const outbox = await runDb(run.run_id)
      .prepare("SELECT count(*) AS n FROM mail_outbox WHERE run_id = ?")
      .bind(run.run_id)
      .first<{ n: number }>();
    expect(outbox?.n).toBe(MAX_RECIPIENTS);
    // The transition's events (more than one INSERT takes) are all recorded, in order, ids growing.
    const events = await api<{
      items: Array<{ id: number; type: string; data?: { to?: string; outbox_id?: string } }>;
    }>("GET", `/v1/executions/${run.run_id}/events?limit=200`);
    const types = events.body.items.map((e) => e.type);
    const queued = events.body.items.filter((e) => e.type === "mail.queued");
    // Addresses are masked in events (docs/telemetry.md): one event per outbox row, in the outbox's order.
    expect(queued.map((e) => e.data?.to)).toEqual(Array(MAX_RECIPIENTS).fill("m***@acme.test"));
    const rows = await runDb(run.run_id)
      .prepare("SELECT id FROM mail_outbox WHERE run_id = ? ORDER BY rowid")
      .bind(run.run_id)
      .all<{ id: string }>();
    expect(queued.map((e) => e.data?.outbox_id)).toEqual(rows.results.map((r) => r.id));
    expect(types.indexOf("run.waiting")).toBeLessThan(types.indexOf("mail.queued"));
    const ids = events.body.items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it(`a literal list of more than ${MAX_RECIPIENTS} is refused at save with its path`, async () => {
    const list = Array.from({ length: 51 }, (_, i) => `"p${i}@acme.test"`).join(", ");
    const yaml = `
id: too-many-literal
name: Too many
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: [${list}]
`;
    const res = await api("POST", "/v1/workflows/validate", { yaml });
    expect(res.status).toBe(422);
    const error = envelope(res);
    expect(error.details).toEqual([
      expect.objectContaining({ path: "steps[0].approvers", message: expect.stringContaining("51") }),
    ]);
  });
});

describe("prompts", () => {
  it("a prompt over 100 KiB fails the step with prompt_too_large before anything is queued", async () => {
    // 110 KiB used to make the AI job's message too big for its queue (128 KB): the send threw after
    // the batch and the run stayed running, its watchdog re-sending the same oversize job.
    const run = await start("big-prompt", { doc: "p".repeat(110 * 1024) });
    expect(run.status).toBe("failed");
    const s = await expectFailedCleanly(run.run_id, "draft", "prompt_too_large");
    expect(s.error?.message).toContain(String(110 * 1024));
  });

  it("a prompt of exactly 100 KiB, multi-byte characters included, is queued", async () => {
    const doc = `${"—".repeat(1000)}${"a".repeat(MAX_PROMPT_BYTES - 3000)}`;
    expect(new TextEncoder().encode(doc).byteLength).toBe(MAX_PROMPT_BYTES);
    const run = await start("big-prompt", { doc });
    expect(run).toMatchObject({ status: "running", current_step: "draft" });
    await expectAttended(run.run_id);
    const effects = await runInDurableObject(stubOf(run.run_id), (_i, state) => state.storage.get("effects"));
    expect(effects).toBeUndefined();
  });
});

describe("the run's context", () => {
  const big = MAX_CONTEXT_BYTES - 40_000;

  it("resume data that would pass 1 MiB fails the step with context_too_large", async () => {
    const run = await start("grow-by-form", { blob: "b".repeat(big) });
    const res = await api<Status>("POST", `/v1/executions/${run.run_id}/resume`, {
      json: { token: run.waiting?.resume_token, data: { note: "n".repeat(60_000) } },
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.status).toBe("failed");
    await expectFailedCleanly(run.run_id, "ask", "context_too_large");
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.answer).toBeUndefined();
  });

  it("an api_call whose answer would pass 1 MiB fails once, and is never called again", async () => {
    // Before: the answer was stored whatever its size; on D1 (2 MB a row) the write failed and the
    // watchdog re-ran the call every 30 s, the step budget never reached since nothing was saved.
    const run = await start("grow-by-call", { blob: "b".repeat(big - 5_000), pad: "p".repeat(20_000) });
    expect(run.status).toBe("failed");
    await expectFailedCleanly(run.run_id, "call", "context_too_large");
    expect(await hits(run.run_id)).toBe(1);
    const history = await api<{ steps: Array<{ step_id: string; status: string; output?: unknown }> }>(
      "GET",
      `/v1/executions/${run.run_id}/history`,
    );
    expect(history.body.steps.map((x) => `${x.step_id}:${x.status}`)).toEqual(["call:failed"]);
  });
});
