import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { HumanWait } from "../../src/engine/state";
import { maskEmail } from "../../src/lib/pii";
import { api } from "../helpers/api";
import { alarmOf, indexSettled, runDb, runStubOf } from "../helpers/run-db";
import { getRun, resumeRun, startedRun, storedPending } from "../helpers/runs";
import { eventsOf, linkOf, listWaits, mailsOf } from "./helpers";

// Escalation levels fire from the run's alarm, each once, and compose with reminders and the timeout.
// Deadlines are hours away, so the tests move the wait's due time into the past in the run's storage
// and run the alarm the object scheduled (as test/engine/alarms.test.ts does).

const HOUR = 3_600_000;

const ESCALATING = `
id: escalating
name: Escalating sign-off
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test"]
    quorum: 2
    forbid: ["{{profile.email}}"]
    remind_after: 2h
    timeout: 1d
    on_timeout: reject
    escalate:
      - { after: 1h, to: ["lead@acme.test"] }
      - { after: 3h, to: ["vp@acme.test", "{{profile.email}}"] }
    output: approval
`;

const REQUESTER = "requester@acme.test";

beforeAll(async () => {
  const res = await api("POST", "/v1/workflows", { yaml: ESCALATING });
  expect(res.status, res.text).toBe(201);
});

async function waitOf(runId: string): Promise<HumanWait> {
  const pending = await storedPending(runId);
  if (pending?.kind !== "human") throw new Error(`run ${runId} is not waiting`);
  return pending;
}

/** Moves a due time of the run's wait into the past, as if the clock had run on. */
async function moveClock(runId: string, field: "escalateAt" | "expiresAt" | "remindAt"): Promise<void> {
  const res = await runDb(runId)
    .prepare(`UPDATE runs SET pending = json_set(pending, '$.${field}', ?) WHERE id = ?`)
    .bind(Date.now() - 1000, runId)
    .run();
  expect(res.meta.changes).toBe(1);
}

const start = async () => {
  const run = await startedRun("escalating", { profile: { email: REQUESTER } });
  await indexSettled(run.run_id);
  return run;
};

describe("escalation", () => {
  it("the run's alarm is set for the first level; when it fires the backup gets a link that counts", async () => {
    const run = await start();
    const wait = await waitOf(run.run_id);
    expect(wait.escalateAt).toBe(wait.startedAt + HOUR);
    expect(await alarmOf(run.run_id)).toBe(wait.escalateAt);

    await moveClock(run.run_id, "escalateAt");
    expect(await runDurableObjectAlarm(runStubOf(run.run_id))).toBe(true);

    expect(await eventsOf(run.run_id, "wait.escalated")).toEqual([
      // Events mask addresses (docs/telemetry.md); the emails themselves go to the real ones.
      expect.objectContaining({ step_id: "approve", data: { level: 1, to: [maskEmail("lead@acme.test")] } }),
    ]);
    expect((await mailsOf(run.run_id)).map((m) => `${m.kind}:${m.to}`)).toContain("request:lead@acme.test");
    const after = await waitOf(run.run_id);
    expect(after.escalateAt).toBe(wait.startedAt + 3 * HOUR);
    // The reminder (2h) comes before the next level (3h).
    expect(await alarmOf(run.run_id)).toBe(after.remindAt);

    // Earlier links stay valid; the backup's approval counts towards the quorum.
    const first = await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), {
      decision: "approved",
    });
    expect(first.body.waiting).toMatchObject({ approvals: { required: 2, received: 1 } });
    const lead = await resumeRun(run.run_id, await linkOf(run.run_id, "lead@acme.test"), {
      decision: "approved",
    });
    expect(lead.status, lead.text).toBe(200);
    expect(lead.body.status).toBe("completed");
    const ctx = await api<{ runtime: { approval: { approvals: { approver: string }[] } } }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.approval.approvals.map((a) => a.approver)).toEqual([
      "a@acme.test",
      "lead@acme.test",
    ]);
  });

  it("fires after a restart of the runtime, each level once, never to a forbidden address", async () => {
    const run = await start();
    await moveClock(run.run_id, "escalateAt");
    // The object loses its memory; its storage (run, wait and alarm) is all that is left.
    await runInDurableObject(runStubOf(run.run_id), (_instance, state) => {
      state.abort("restart for the test");
    }).catch(() => undefined);
    expect(await runDurableObjectAlarm(runStubOf(run.run_id))).toBe(true);
    expect((await eventsOf(run.run_id, "wait.escalated")).map((e) => e.data?.level)).toEqual([1]);

    await moveClock(run.run_id, "escalateAt");
    await runInDurableObject(runStubOf(run.run_id), (_instance, state) => {
      state.abort("restart again");
    }).catch(() => undefined);
    expect(await runDurableObjectAlarm(runStubOf(run.run_id))).toBe(true);
    const levels = await eventsOf(run.run_id, "wait.escalated");
    expect(levels.map((e) => e.data)).toEqual([
      { level: 1, to: [maskEmail("lead@acme.test")] },
      { level: 2, to: [maskEmail("vp@acme.test")] },
    ]);
    expect(await eventsOf(run.run_id, "wait.recipient_forbidden")).toEqual([
      expect.objectContaining({ data: { recipient: maskEmail(REQUESTER) } }),
    ]);
    expect((await mailsOf(run.run_id)).some((m) => m.to === REQUESTER)).toBe(false);
    expect((await waitOf(run.run_id)).escalateAt).toBeUndefined();

    // Another alarm (the reminder) escalates nothing more.
    await moveClock(run.run_id, "remindAt");
    expect(await runDurableObjectAlarm(runStubOf(run.run_id))).toBe(true);
    expect(await eventsOf(run.run_id, "wait.escalated")).toHaveLength(2);
    const reminded = (await mailsOf(run.run_id)).filter((m) => m.kind === "reminder").map((m) => m.to);
    expect(reminded.sort()).toEqual(["a@acme.test", "b@acme.test", "lead@acme.test", "vp@acme.test"]);

    // The inbox lists the escalated approvers.
    await indexSettled(run.run_id);
    const inbox = await listWaits("status=open&recipient=vp@acme.test");
    expect(inbox.body.items.map((w) => w.run_id)).toEqual([run.run_id]);
  });

  it("the timeout wins over a level due at the same time, and on_timeout still applies", async () => {
    const run = await start();
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    await moveClock(run.run_id, "escalateAt");
    await moveClock(run.run_id, "expiresAt");
    expect(await runDurableObjectAlarm(runStubOf(run.run_id))).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after.status).toBe("rejected");
    expect(await eventsOf(run.run_id, "wait.escalated")).toEqual([]);
    // The result keeps the approval that came in before the timeout.
    const ctx = await api<{ runtime: { approval: Record<string, unknown> } }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.approval).toMatchObject({
      decision: "rejected",
      approver: "timeout",
      timed_out: true,
      approvals: [{ approver: "a@acme.test", decision: "approved" }],
    });
    expect(await alarmOf(run.run_id)).toBeNull();
    await indexSettled(run.run_id);
    const open = await listWaits("status=open&workflow_id=escalating&limit=100");
    expect(open.body.items.some((w) => w.run_id === run.run_id)).toBe(false);
  });
});
