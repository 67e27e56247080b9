import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { HumanWait } from "../../src/engine/state";
import { api } from "../helpers/api";
import { alarmOf, indexSettled, runDb } from "../helpers/run-db";
import { getRun, resumeRun, startedRun, storedPending } from "../helpers/runs";
import { linkToken } from "../helpers/tokens";

// Reminders and timeouts of human waits, fired through the run's Durable Object alarm. Timeouts are
// hours long, so instead of waiting the tests move the wait's deadline into the past in D1 (the
// object reads its run from D1 on every entry) and then run the alarm the object has scheduled.

const HOUR = 3_600_000;

const REMIND = `
id: remind-flow
name: Reminded sign-off
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test", "boss@acme.test"]
    instructions: "Sign off {{runtime.item}}?"
    remind_after: 1h
    timeout: 1d
    on_timeout: fail
    output: sign
`;

const FIX_STEP = `  - id: fix
    type: form
    title: Fix it
    fields: [{ name: change, type: string }]
    next: sign
`;

/** An approval with the given on_timeout; `on_reject: fix` when asked; then a plain form. */
const approvalFlow = (id: string, onTimeout: string, withOnReject: boolean) => `
id: ${id}
name: Approval timeout ${onTimeout}
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test"]
    timeout: 2h
    on_timeout: ${onTimeout}
    output: sign
    next: note
${withOnReject ? "    on_reject: fix\n" : ""}  - id: note
    type: form
    fields: [{ name: text, type: string }]
${withOnReject ? FIX_STEP : ""}`;

const FORM_TIMEOUTS = `
id: form-timeouts
name: Form timeouts
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "{{profile.email}}"
    fields:
      - { name: priority, type: string, required: true, enum: [low, high], default: low }
      - { name: size, type: integer, default: 3 }
      - { name: note, type: string }
    timeout: 4h
    on_timeout: default
    next: route
  - id: route
    type: conditional
    branches:
      - when: "runtime.priority == 'low' && runtime.size == 3"
        next: strict
    default: strict
  - id: strict
    type: form
    fields: [{ name: answer, type: string, required: true }]
    timeout: 2h
    on_timeout: fail
`;

const stubOf = (runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));

async function pendingOf(runId: string): Promise<HumanWait> {
  const pending = await storedPending(runId);
  if (pending?.kind !== "human") throw new Error(`run ${runId} is not parked on a human wait`);
  return pending;
}

/** Moves a deadline of the run's current wait into the past, as if the clock had run on. */
async function moveClock(runId: string, field: "expiresAt" | "remindAt"): Promise<void> {
  const res = await runDb(runId)
    .prepare(`UPDATE runs SET pending = json_set(pending, '$.${field}', ?) WHERE id = ?`)
    .bind(Date.now() - 1000, runId)
    .run();
  expect(res.meta.changes).toBe(1);
}

const eventTypes = async (runId: string) => {
  const res = await api<{
    items: Array<{ type: string; step_id: string | null; data?: Record<string, unknown> }>;
  }>("GET", `/v1/executions/${runId}/events?limit=200`);
  return res.body.items;
};

beforeAll(async () => {
  const flows = [
    REMIND,
    FORM_TIMEOUTS,
    approvalFlow("approve-on-timeout", "approve", false),
    approvalFlow("reject-back-on-timeout", "reject", true),
    approvalFlow("reject-on-timeout", "reject", false),
    approvalFlow("fail-on-timeout", "fail", false),
  ];
  for (const yaml of flows) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("reminders", () => {
  it("re-sends each recipient a working link, keeps waiting and schedules the next reminder", async () => {
    const before = Date.now();
    const run = await startedRun("remind-flow", { inputs: { item: "the Q3 budget" } });
    expect(run.status).toBe("waiting");
    const wait = await pendingOf(run.run_id);
    expect(wait.remindAt).toBeGreaterThanOrEqual(before + HOUR);
    expect(await alarmOf(run.run_id)).toBe(wait.remindAt);

    await moveClock(run.run_id, "remindAt");
    const remindedAt = Date.now();
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);

    const after = (await getRun(run.run_id)).body;
    expect(after).toMatchObject({ status: "waiting", current_step: "sign" });
    const next = await pendingOf(run.run_id);
    expect(next.waitId).toBe(wait.waitId);
    expect(next.reminders).toBe(1);
    expect(next.remindAt).toBeGreaterThanOrEqual(remindedAt + HOUR);
    expect(next.remindAt).toBeLessThan(remindedAt + HOUR + 60_000);
    expect(await alarmOf(run.run_id)).toBe(next.remindAt);

    const mails = await runDb(run.run_id)
      .prepare(
        "SELECT kind, to_address, subject, text_body FROM mail_outbox WHERE run_id = ? ORDER BY kind, to_address",
      )
      .bind(run.run_id)
      .all<{ kind: string; to_address: string; subject: string; text_body: string }>();
    expect(mails.results.map((m) => `${m.kind}:${m.to_address}`)).toEqual([
      "reminder:boss@acme.test",
      "reminder:lead@acme.test",
      "request:boss@acme.test",
      "request:lead@acme.test",
    ]);
    const reminder = mails.results[0];
    expect(reminder?.text_body).toContain("https://scaff.test/r/");

    const events = await eventTypes(run.run_id);
    expect(events.filter((e) => e.type === "wait.reminded")).toEqual([
      expect.objectContaining({ step_id: "sign", data: { reminder: 1 } }),
    ]);
    const queued = events.filter((e) => e.type === "mail.queued").map((e) => e.data?.kind);
    expect(queued.sort()).toEqual(["reminder", "reminder", "request", "request"]);

    // The reminder's link works and records its recipient as the approver.
    const done = await resumeRun(run.run_id, linkToken(reminder?.text_body ?? ""), { decision: "approved" });
    expect(done.status, done.text).toBe(200);
    expect(done.body.status).toBe("completed");
    const ctx = await api<{ runtime: { sign: { approver: string } } }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.sign.approver).toBe("boss@acme.test");

    // A finished run keeps no timer.
    expect(await alarmOf(run.run_id)).toBeNull();
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(false);
  });

  it("reminds only whoever has not acted: a used link gets no reminder", async () => {
    const run = await startedRun("remind-flow");
    // The lead's token is used up (as if their resume had raced the reminder); only the boss is reminded.
    await runDb(run.run_id)
      .prepare("UPDATE resume_tokens SET used_at = ? WHERE run_id = ? AND recipient = 'lead@acme.test'")
      .bind(Date.now(), run.run_id)
      .run();
    await moveClock(run.run_id, "remindAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const reminders = await runDb(run.run_id)
      .prepare("SELECT to_address FROM mail_outbox WHERE run_id = ? AND kind = 'reminder'")
      .bind(run.run_id)
      .all<{ to_address: string }>();
    expect(reminders.results.map((r) => r.to_address)).toEqual(["boss@acme.test"]);

    // Cancelling the run removes its timer.
    expect(await alarmOf(run.run_id)).not.toBeNull();
    expect((await api("POST", `/v1/executions/${run.run_id}/cancel`)).status).toBe(200);
    expect(await alarmOf(run.run_id)).toBeNull();
  });
});

describe("timeouts", () => {
  it("on_timeout approve: the approval is recorded as approved by the timeout and the run goes on", async () => {
    const run = await startedRun("approve-on-timeout");
    const token = run.waiting?.resume_token ?? "";
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);

    const after = (await getRun(run.run_id)).body;
    expect(after).toMatchObject({ status: "waiting", current_step: "note" });
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.sign).toMatchObject({
      decision: "approved",
      approver: "timeout",
      timed_out: true,
    });
    const history = await api<{ steps: Array<{ step_id: string; status: string }> }>(
      "GET",
      `/v1/executions/${run.run_id}/history`,
    );
    expect(history.body.steps.map((s) => `${s.step_id}:${s.status}`)).toEqual([
      "sign:completed",
      "note:waiting",
    ]);
    // The timed-out wait's link no longer works; the timer now belongs to the next wait.
    const late = await resumeRun(run.run_id, token, { decision: "rejected" });
    expect(late.status).toBe(409);
    expect(await alarmOf(run.run_id)).toBe((await pendingOf(run.run_id)).expiresAt);
  });

  it("on_timeout reject goes to on_reject when there is one, else ends the run rejected", async () => {
    const back = await startedRun("reject-back-on-timeout");
    await moveClock(back.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(back.run_id))).toBe(true);
    expect((await getRun(back.run_id)).body).toMatchObject({ status: "waiting", current_step: "fix" });

    const end = await startedRun("reject-on-timeout");
    await moveClock(end.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(end.run_id))).toBe(true);
    expect((await getRun(end.run_id)).body).toMatchObject({ status: "rejected", current_step: null });
    // Mail events arrive from the queue whenever it delivers; only the run's own story is ordered.
    const types = (await eventTypes(end.run_id)).map((e) => e.type).filter((t) => !t.startsWith("mail."));
    expect(types.slice(-3)).toEqual(["run.resumed", "step.completed", "run.rejected"]);
    expect(await alarmOf(end.run_id)).toBeNull();
  });

  it("on_timeout fail fails the run with code timeout", async () => {
    const run = await startedRun("fail-on-timeout");
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after.status).toBe("failed");
    expect(after.error).toMatchObject({ code: "timeout", step_id: "sign" });
    expect(after.error?.message).toMatch(/timed out/);
    const types = (await eventTypes(run.run_id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["step.failed", "run.failed"]);
    expect(await alarmOf(run.run_id)).toBeNull();
  });

  it("a form's on_timeout default continues with the defaults; a later fail timeout fails the run", async () => {
    const run = await startedRun("form-timeouts", { profile: { email: "ann@acme.test" } });
    expect(run.current_step).toBe("ask");
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);

    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "strict" });
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime).toMatchObject({ priority: "low", size: 3 });
    expect(ctx.body.runtime.note).toBeUndefined();

    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after.status).toBe("failed");
    expect(after.error).toMatchObject({ code: "timeout", step_id: "strict" });
  });
});

describe("alarms fire once per wait", () => {
  it("an alarm after the wait was resumed changes nothing; the timer follows the next wait", async () => {
    const run = await startedRun("approve-on-timeout");
    const first = await pendingOf(run.run_id);
    expect(await alarmOf(run.run_id)).toBe(first.expiresAt);

    const ok = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { decision: "approved" });
    expect(ok.body).toMatchObject({ status: "waiting", current_step: "note" });
    const second = await pendingOf(run.run_id);
    expect(second.waitId).not.toBe(first.waitId);
    expect(await alarmOf(run.run_id)).toBe(second.expiresAt);

    // A late timer for the answered wait (as scheduled before the resume) finds nothing to do.
    // (Its time is still ahead, so workerd does not fire it on its own before the test runs it.)
    // The mail consumer records its own events (mail.sent) whenever it gets to the emails: not counted.
    const runEvents = async () => (await eventTypes(run.run_id)).filter((e) => !e.type.startsWith("mail."));
    const eventsBefore = (await runEvents()).length;
    await runInDurableObject(stubOf(run.run_id), (_instance, state) =>
      state.storage.setAlarm(first.expiresAt),
    );
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "note" });
    expect((await runEvents()).length).toBe(eventsBefore);
    expect(await alarmOf(run.run_id)).toBe(second.expiresAt);
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.sign).toMatchObject({ decision: "approved", approver: "api:tester" });
  });

  it("a resume racing the timeout: exactly one of them decides the wait", async () => {
    // Different head starts for the person, so either side may win; the invariants hold either way.
    for (const headStartMs of [0, 5, 15, 40]) {
      const run = await startedRun("approve-on-timeout");
      await moveClock(run.run_id, "expiresAt");
      const [answer] = await Promise.all([
        resumeRun(run.run_id, run.waiting?.resume_token ?? "", { decision: "rejected" }),
        new Promise((resolve) => setTimeout(resolve, headStartMs)).then(() =>
          runDurableObjectAlarm(stubOf(run.run_id)),
        ),
      ]);
      const history = await api<{ steps: Array<{ step_id: string; status: string }> }>(
        "GET",
        `/v1/executions/${run.run_id}/history`,
      );
      const signs = history.body.steps.filter((s) => s.step_id === "sign");
      expect(signs).toHaveLength(1);
      const after = (await getRun(run.run_id)).body;
      if (answer.status === 200) {
        // The person won: rejected without on_reject ends the run.
        expect(after.status).toBe("rejected");
      } else {
        expect(answer.status).toBe(409);
        expect(after).toMatchObject({ status: "waiting", current_step: "note" });
      }
      const decided = (await eventTypes(run.run_id)).filter((e) => e.type === "run.resumed");
      expect(decided).toHaveLength(1);
    }
  });

  it("a wait that began after the object lost its alarm and its memory still times out", async () => {
    const run = await startedRun("approve-on-timeout");
    await runInDurableObject(stubOf(run.run_id), async (_instance, state) => {
      await state.storage.deleteAlarm();
    });
    await runInDurableObject(stubOf(run.run_id), (_instance, state) => {
      state.abort("reset for the test");
    }).catch(() => undefined);

    const ok = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { decision: "approved" });
    expect(ok.body).toMatchObject({ status: "waiting", current_step: "note" });
    expect(await alarmOf(run.run_id)).toBe((await pendingOf(run.run_id)).expiresAt);
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after.status).toBe("failed");
    expect(after.error).toMatchObject({ code: "timeout", step_id: "note" });
  });

  it("a pending alarm survives the object being reset: state comes back from D1 and storage", async () => {
    const run = await startedRun("remind-flow");
    const wait = await pendingOf(run.run_id);
    // Its index write landed first: a write held at the reset is the index watchdog's alarm instead.
    await indexSettled(run.run_id);
    await runInDurableObject(stubOf(run.run_id), (_instance, state) => {
      state.abort("reset for the test");
    }).catch(() => undefined);

    expect(await alarmOf(run.run_id)).toBe(wait.remindAt);
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after.status).toBe("failed");
    expect(after.error).toMatchObject({ code: "timeout", step_id: "sign" });
  });
});

describe("the watchdog alarm", () => {
  const outboxStatuses = async (runId: string) =>
    (
      await runDb(runId)
        .prepare("SELECT status, sent_at FROM mail_outbox WHERE run_id = ? ORDER BY to_address")
        .bind(runId)
        .all<{ status: string; sent_at: number | null }>()
    ).results;

  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("re-sends the mail of a committed transition whose effects never ran, then restores the timer", async () => {
    const run = await startedRun("remind-flow");
    const sent = await until(
      () => outboxStatuses(run.run_id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === "sent"),
    );
    expect(sent.map((r) => r.status)).toEqual(["sent", "sent"]);
    const wait = await pendingOf(run.run_id);
    const version = (
      await runDb(run.run_id)
        .prepare("SELECT version FROM runs WHERE id = ?")
        .bind(run.run_id)
        .first<{ version: number }>()
    )?.version;

    // The object died after the wait's batch and before its emails were queued: the emails are still
    // pending and the effects record with its watchdog alarm is all that is left in storage.
    await runDb(run.run_id)
      .prepare("UPDATE mail_outbox SET status = 'pending', sent_at = NULL WHERE run_id = ?")
      .bind(run.run_id)
      .run();
    const outboxIds = (
      await runDb(run.run_id)
        .prepare("SELECT id FROM mail_outbox WHERE run_id = ?")
        .bind(run.run_id)
        .all<{ id: string }>()
    ).results.map((r) => r.id);
    await runInDurableObject(stubOf(run.run_id), async (_instance, state) => {
      await state.storage.put("effects", {
        runId: run.run_id,
        version,
        effects: [
          { kind: "mail", waitId: wait.waitId, mail: "request", recipients: wait.recipients, outboxIds },
        ],
        failures: 0,
      });
      await state.storage.setAlarm(Date.now() + 30_000);
    });

    expect(await runDurableObjectAlarm(stubOf(run.run_id))).toBe(true);
    const resent = await until(
      () => outboxStatuses(run.run_id),
      (rows) => rows.every((r) => r.status === "sent"),
    );
    expect(resent.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(
      await runInDurableObject(stubOf(run.run_id), (_i, state) => state.storage.get("effects")),
    ).toBeUndefined();
    expect(await alarmOf(run.run_id)).toBe(wait.remindAt);
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "sign" });
  });
});
