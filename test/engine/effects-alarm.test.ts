import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_AI_RESENDS } from "../../src/durable/ai-watchdog";
import type { Effect } from "../../src/engine/state";
import { MAX_EFFECT_SENDS } from "../../src/lib/limits";
import { api } from "../helpers/api";
import { alarmOf, runDb } from "../helpers/run-db";

// Queue sends that fail after their batch committed. The queues are real (miniflare); a send fails
// the way the platform fails it, with a message over Queues' 128 KB. A failing send must never keep
// the alarm from its timeout, reminder or ai_lost, and must end in a failed step, never a retry loop.

const SIGN = `
id: effects-sign
name: Sign with a reminder
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test"]
    remind_after: 1h
    timeout: 1d
    on_timeout: approve
    output: sign
    next: note
  - id: note
    type: form
    fields: [{ name: text, type: string }]
`;

const DRAFT = `
id: effects-draft
name: Draft
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write about {{runtime.topic}}"
    mock: { mode: timeout }
    schema: { type: object }
    output: draft
`;

interface Status {
  run_id: string;
  status: string;
  current_step: string | null;
  error?: { code: string; step_id?: string };
  waiting?: { resume_token: string };
}
interface Pending {
  kind: string;
  waitId: string;
  attemptId: string;
  stepId: string;
  seq: number;
  reminders: number;
  remindAt?: number;
}
interface Record {
  failures: number;
  retryAt?: number;
  effects: Effect[];
}

const OVERSIZE = "x".repeat(130_000);
const start = async (workflow: string) => {
  const res = await api<Status>("POST", "/v1/executions", { json: { workflow_id: workflow, inputs: {} } });
  expect(res.status, res.text).toBe(202);
  return res.body;
};
const status = async (runId: string) => (await api<Status>("GET", `/v1/executions/${runId}`)).body;
const stubOf = (runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));
const inObject = <T>(runId: string, fn: (storage: DurableObjectStorage) => Promise<T>) =>
  runInDurableObject(stubOf(runId), (_i, state) => fn(state.storage));
const recordOf = (runId: string) => inObject(runId, (s) => s.get<Record>("effects"));

async function runRow(runId: string): Promise<{ version: number; pending: Pending }> {
  const row = await runDb(runId)
    .prepare("SELECT version, pending FROM runs WHERE id = ?")
    .bind(runId)
    .first<{ version: number; pending: string }>();
  return { version: row?.version ?? -1, pending: JSON.parse(row?.pending ?? "null") as Pending };
}

/** Moves a deadline of the run's pending step into the past. */
async function moveClock(runId: string, field: "expiresAt" | "remindAt"): Promise<void> {
  await runDb(runId)
    .prepare(`UPDATE runs SET pending = json_set(pending, '$.${field}', ?) WHERE id = ?`)
    .bind(Date.now() - 1000, runId)
    .run();
}

/** As if the run's last batch committed and its queue send failed `failures` times (due now). */
async function failingEffects(runId: string, effect: Effect, failures = 1): Promise<void> {
  const { version } = await runRow(runId);
  await inObject(runId, async (s) => {
    await s.put("effects", { runId, version, effects: [effect], failures, retryAt: Date.now() - 1 });
    await s.setAlarm(Date.now() + 60_000);
  });
}

const oversizeMail = (p: Pending, outboxIds = [OVERSIZE]): Effect => ({
  kind: "mail",
  waitId: p.waitId,
  mail: "request",
  recipients: ["lead@acme.test"],
  outboxIds,
});

/** The invariant after every failure: the run is finished, or its object has a timer set. */
async function expectAttended(runId: string): Promise<void> {
  const s = await status(runId);
  if (s.status === "running" || s.status === "waiting") expect(await alarmOf(runId)).not.toBeNull();
  else expect(await alarmOf(runId)).toBeNull();
}

beforeAll(async () => {
  for (const yaml of [SIGN, DRAFT]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("a queue send that fails after its batch", () => {
  it("does not stop the timeout: the wait times out and the run goes on", async () => {
    const run = await start("effects-sign");
    await failingEffects(run.run_id, oversizeMail((await runRow(run.run_id)).pending));
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await status(run.run_id)).toMatchObject({ status: "waiting", current_step: "note" });
    // The emails were for the wait that timed out: nothing is owed any more.
    expect(await recordOf(run.run_id)).toBeUndefined();
    await expectAttended(run.run_id);
  });

  it("does not stop the reminder; it is retried with backoff, then the step fails with queue_send_failed", async () => {
    const run = await start("effects-sign");
    const before = await runRow(run.run_id);
    await failingEffects(run.run_id, oversizeMail(before.pending));
    await moveClock(run.run_id, "remindAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect((await runRow(run.run_id)).pending.reminders).toBe(1);
    const kept = await recordOf(run.run_id);
    expect(kept?.failures).toBeGreaterThanOrEqual(2);
    expect(kept?.retryAt).toBeGreaterThan(Date.now());
    expect(await alarmOf(run.run_id)).toBe(kept?.retryAt);
    expect(await status(run.run_id)).toMatchObject({ status: "waiting", current_step: "sign" });

    // The last allowed send fails too: the step fails, its link stops working, no timer is left.
    await failingEffects(run.run_id, oversizeMail(before.pending), MAX_EFFECT_SENDS - 1);
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await status(run.run_id)).toMatchObject({
      status: "failed",
      error: { code: "queue_send_failed", step_id: "sign" },
    });
    expect(await recordOf(run.run_id)).toBeUndefined();
    await expectAttended(run.run_id);
    const late = await api("POST", `/v1/executions/${run.run_id}/resume`, {
      json: { token: run.waiting?.resume_token, data: { decision: "approved" } },
    });
    expect(late.status).toBe(409);
  });

  it("an AI job that cannot be sent is retried by its record, then fails the step", async () => {
    const run = await start("effects-draft");
    const { pending } = await runRow(run.run_id);
    const job: Effect = {
      kind: "ai_job",
      stepId: "draft",
      attemptId: pending.attemptId,
      seq: pending.seq,
      prompt: OVERSIZE,
    };
    await failingEffects(run.run_id, job);
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await status(run.run_id)).toMatchObject({ status: "running", current_step: "draft" });
    expect((await recordOf(run.run_id))?.failures).toBe(2);
    // The record re-sends the job: the AI watchdog does not count a re-send of its own.
    expect(await inObject(run.run_id, (s) => s.get(`aiResend:${pending.attemptId}`))).toBeUndefined();
    await expectAttended(run.run_id);

    await failingEffects(run.run_id, job, MAX_EFFECT_SENDS - 1);
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await status(run.run_id)).toMatchObject({
      status: "failed",
      error: { code: "queue_send_failed", step_id: "draft" },
    });
    await expectAttended(run.run_id);
  });

  it("a failing AI re-send still counts: the step ends in ai_lost", async () => {
    const run = await start("effects-draft");
    // The re-sent job carries the prompt kept in the run row: make it one Queues refuse.
    await runDb(run.run_id)
      .prepare("UPDATE runs SET pending = json_set(pending, '$.prompt', ?) WHERE id = ?")
      .bind(OVERSIZE, run.run_id)
      .run();
    const { pending } = await runRow(run.run_id);
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const key = `aiResend:${pending.attemptId}`;
    expect(await inObject(run.run_id, (s) => s.get<{ count: number }>(key))).toMatchObject({ count: 1 });
    expect((await status(run.run_id)).status).toBe("running");
    await expectAttended(run.run_id);

    await inObject(run.run_id, (s) => s.put(key, { attemptId: pending.attemptId, count: MAX_AI_RESENDS }));
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await status(run.run_id)).toMatchObject({ status: "failed", error: { code: "ai_lost" } });
    await expectAttended(run.run_id);
  });

  it("150 owed emails are sent in batches Queues accept", async () => {
    const run = await start("effects-sign");
    const { pending } = await runRow(run.run_id);
    const ids = Array.from({ length: 150 }, (_, i) => `mail_unknown_${i}`);
    await failingEffects(run.run_id, oversizeMail(pending, ids));
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect(await recordOf(run.run_id)).toBeUndefined();
    expect(await alarmOf(run.run_id)).toBe(pending.remindAt);
  });
});
