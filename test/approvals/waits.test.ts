import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getRunSummary } from "../../src/db/run-index";
import { writeRunIndex } from "../../src/db/wait-index";
import { createLogger } from "../../src/lib/logger";
import { maskEmail } from "../../src/lib/pii";
import { deliverMail } from "../../src/queue/mail-consumer";
import type { RunDb } from "../../src/run-db/client";
import { enqueueIndexWrite } from "../../src/run-db/index-entry";
import { pendingIndexWrite } from "../../src/run-db/index-outbox";
import { indexOutbox } from "../../src/run-db/schema";
import { api, envelope } from "../helpers/api";
import { indexSettled, runDb, runStubOf } from "../helpers/run-db";
import { getRun, resumeRun, startedRun } from "../helpers/runs";
import { page, textOf } from "../pages/link-helpers";
import { eventsOf, linkOf, listWaits, mailsOf, type WaitBody } from "./helpers";

// The waits inbox (GET /v1/waits, read from D1's index) and what an operator does with a wait's
// links: resend them, or move one to someone else.

const SIGNOFF = `
id: inbox-signoff
name: Sign-off
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test"]
    quorum: 2
    forbid: ["{{profile.email}}"]
    output: approval
`;

const TWO_STEPS = `
id: inbox-two-steps
name: Two sign-offs
start_step: first
steps:
  - id: first
    type: approval
    approvers: ["a@acme.test"]
    next: second
  - id: second
    type: approval
    approvers: ["b@acme.test"]
`;

const FORM = `
id: inbox-form
name: Intake
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "{{profile.email}}"
    fields: [{ name: note, type: string }]
`;

beforeAll(async () => {
  for (const yaml of [SIGNOFF, FORM, TWO_STEPS]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

/** Starts a sign-off and waits until the inbox has it. */
async function signoff(profile: Record<string, unknown> = {}) {
  const run = await startedRun("inbox-signoff", { profile });
  await indexSettled(run.run_id);
  return run;
}

/** The one wait of the run as the inbox lists it. */
async function waitOfRun(runId: string, status = "open"): Promise<WaitBody> {
  await indexSettled(runId);
  const res = await listWaits(`status=${status}&limit=100`);
  const mine = res.body.items.filter((w) => w.run_id === runId);
  expect(mine, `${status} waits of ${runId}`).toHaveLength(1);
  return mine[0] as WaitBody;
}

const resend = (runId: string, waitId: string, json: Record<string, unknown> = {}) =>
  api<WaitBody>("POST", `/v1/executions/${runId}/waits/${waitId}/resend`, { json });
const reassign = (runId: string, waitId: string, from: string, to: string) =>
  api<WaitBody>("POST", `/v1/executions/${runId}/waits/${waitId}/reassign`, { json: { from, to } });

describe("GET /v1/waits", () => {
  it("lists exactly the open waits; finished and cancelled runs' waits are closed", async () => {
    const open = await signoff();
    const done = await signoff();
    const cancelled = await signoff();
    const form = await startedRun("inbox-form", { profile: { email: "ann@acme.test" } });

    await resumeRun(done.run_id, await linkOf(done.run_id, "a@acme.test"), { decision: "approved" });
    await resumeRun(done.run_id, await linkOf(done.run_id, "b@acme.test"), { decision: "approved" });
    expect((await getRun(done.run_id)).body.status).toBe("completed");
    expect((await api("POST", `/v1/executions/${cancelled.run_id}/cancel`)).status).toBe(200);
    for (const r of [open, done, cancelled, form]) await indexSettled(r.run_id);

    const listed = await listWaits("status=open&limit=100");
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((w) => w.run_id).sort()).toEqual([open.run_id, form.run_id].sort());
    const item = listed.body.items.find((w) => w.run_id === open.run_id);
    expect(item).toMatchObject({
      workflow_id: "inbox-signoff",
      step_id: "approve",
      type: "approval",
      status: "open",
      closed_at: null,
      recipients: [
        { email: "a@acme.test", status: "pending" },
        { email: "b@acme.test", status: "pending" },
      ],
    });
    expect(item?.wait_id).toMatch(/^wait_/);

    const closed = await listWaits("status=closed&limit=100");
    const byRun = new Map(closed.body.items.map((w) => [w.run_id, w]));
    expect(byRun.get(done.run_id)?.recipients).toEqual([
      { email: "a@acme.test", status: "approved" },
      { email: "b@acme.test", status: "approved" },
    ]);
    expect(byRun.get(done.run_id)?.closed_at).toEqual(expect.any(String));
    expect(byRun.get(cancelled.run_id)?.recipients.map((r) => r.status)).toEqual(["revoked", "revoked"]);
    expect(byRun.has(open.run_id)).toBe(false);
  });

  it("a run that moves on to its next wait closes the first one, decision recorded", async () => {
    const run = await startedRun("inbox-two-steps");
    const first = await waitOfRun(run.run_id);
    expect(first.step_id).toBe("first");
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    const second = await waitOfRun(run.run_id);
    expect(second).toMatchObject({
      step_id: "second",
      recipients: [{ email: "b@acme.test", status: "pending" }],
    });
    const closed = await waitOfRun(run.run_id, "closed");
    expect(closed).toMatchObject({
      wait_id: first.wait_id,
      recipients: [{ email: "a@acme.test", status: "approved" }],
    });
  });

  it("an index write not yet sent keeps the waits it closed when a newer write replaces it", async () => {
    const run = await startedRun("inbox-two-steps");
    await indexSettled(run.run_id);
    const closedElsewhere = {
      ...{ runId: run.run_id, workflowId: "inbox-two-steps", stepId: "zero", type: "approval" },
      ...{ waitId: "wait_carried", status: "closed", recipients: [], createdAt: 1, expiresAt: 2 },
      ...{ closedAt: 3, version: 1 },
    };
    const carried = await runInDurableObject(runStubOf(run.run_id), (instance) => {
      const db = (instance as unknown as { db: RunDb }).db;
      const summary = JSON.stringify({ id: run.run_id, waits: [closedElsewhere] });
      db.insert(indexOutbox).values({ runId: run.run_id, version: 1, summary, failures: 1 }).run();
      enqueueIndexWrite(db, run.run_id);
      return pendingIndexWrite(db)?.waits.map((w) => `${w.waitId}:${w.status}`);
    });
    expect(carried).toEqual(["wait_carried:closed", `${(await waitOfRun(run.run_id)).wait_id}:open`]);
  });

  it("a stale or repeated index write never reopens a closed wait nor changes its recipients", async () => {
    const run = await signoff();
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    await resumeRun(run.run_id, await linkOf(run.run_id, "b@acme.test"), { decision: "approved" });
    const closed = await waitOfRun(run.run_id, "closed");
    const summary = await getRunSummary(env.DB, run.run_id);
    if (!summary) throw new Error("no summary");
    // What an older write said (the wait open, nobody decided), delivered late and twice.
    const stale = {
      ...{ runId: run.run_id, workflowId: closed.workflow_id, stepId: "approve", type: "approval" as const },
      ...{ waitId: closed.wait_id, status: "open" as const, createdAt: 1, expiresAt: 2, closedAt: null },
      ...{ recipients: [{ email: "z@acme.test", status: "pending" as const }], version: 1 },
    };
    const older = { ...summary, version: 1, status: "waiting" as const };
    await writeRunIndex(env.DB, older, [stale]);
    await writeRunIndex(env.DB, older, [stale]);
    expect(await waitOfRun(run.run_id, "closed")).toEqual(closed);
    expect((await listWaits("recipient=z@acme.test")).body.items).toEqual([]);
  });

  it("filters by workflow and recipient, and pages with a cursor", async () => {
    const runs = [await signoff(), await signoff(), await signoff()];
    const form = await startedRun("inbox-form", { profile: { email: "zed@acme.test" } });
    await indexSettled(form.run_id);

    const zed = await listWaits("recipient=ZED@acme.test");
    expect(zed.body.items.map((w) => w.run_id)).toEqual([form.run_id]);
    const forms = await listWaits("workflow_id=inbox-form&status=open");
    expect(forms.body.items.every((w) => w.workflow_id === "inbox-form")).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listWaits>> = await listWaits(
        `workflow_id=inbox-signoff&recipient=a@acme.test&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((w) => w.run_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    for (const r of runs) expect(seen).toContain(r.run_id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("answers bad filters and cursors with 4xx in the error envelope", async () => {
    const status = await listWaits("status=maybe");
    expect(status.status).toBe(422);
    expect(envelope(status).code).toBe("validation_failed");
    const cursor = await listWaits("cursor=nonsense");
    expect(cursor.status).toBe(400);
    expect(envelope(cursor).details?.[0]).toMatchObject({ path: "cursor" });
    expect((await api("GET", "/v1/waits", { key: null })).status).toBe(401);
  });
});

describe("resend", () => {
  it("mails a new link, revokes the old one, and the new one decides", async () => {
    const run = await signoff();
    const wait = await waitOfRun(run.run_id);
    const old = await linkOf(run.run_id, "a@acme.test");

    const res = await resend(run.run_id, wait.wait_id, { recipient: "a@acme.test" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ wait_id: wait.wait_id, status: "open" });
    const fresh = await linkOf(run.run_id, "a@acme.test");
    expect(fresh).not.toBe(old);
    const toA = (await mailsOf(run.run_id)).filter((m) => m.to === "a@acme.test");
    expect(toA).toHaveLength(2);

    const stale = await resumeRun(run.run_id, old, { decision: "approved" });
    expect(stale.status).toBe(410);
    expect(envelope(stale).code).toBe("gone");
    const oldPage = await page("GET", old);
    expect(oldPage.status).toBe(410);
    expect(await textOf(oldPage.text, "h1")).toBe("This link was replaced");
    expect((await getRun(run.run_id)).body.waiting).toMatchObject({ approvals: { received: 0 } });
    const ok = await resumeRun(run.run_id, fresh, { decision: "approved" });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.waiting).toMatchObject({ approvals: { received: 1 } });
    expect(await eventsOf(run.run_id, "wait.resent")).toEqual([
      expect.objectContaining({ data: { recipients: [maskEmail("a@acme.test")] } }),
    ]);
  });

  it("an email carrying a replaced link is dropped, never sent", async () => {
    const run = await signoff();
    const wait = await waitOfRun(run.run_id);
    expect((await resend(run.run_id, wait.wait_id, { recipient: "b@acme.test" })).status).toBe(200);
    const db = runDb(run.run_id);
    const first = await db
      .prepare("SELECT id FROM mail_outbox WHERE run_id = ? AND to_address = ? ORDER BY created_at, rowid")
      .bind(run.run_id, "b@acme.test")
      .first<{ id: string }>();
    // As if the queue delivered the old email only now.
    await db
      .prepare("UPDATE mail_outbox SET status = 'pending' WHERE id = ?")
      .bind(first?.id ?? "")
      .run();
    await deliverMail(
      env,
      { kind: "mail", runId: run.run_id, outboxId: first?.id ?? "" },
      1,
      createLogger("error"),
    );
    const row = await db
      .prepare("SELECT status FROM mail_outbox WHERE id = ?")
      .bind(first?.id ?? "")
      .first<{ status: string }>();
    expect(row?.status).toBe("dropped");
  });

  it("without a recipient resends to everyone who has not decided", async () => {
    const run = await signoff();
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    const wait = await waitOfRun(run.run_id);
    const res = await resend(run.run_id, wait.wait_id);
    expect(res.status, res.text).toBe(200);
    const requests = (await mailsOf(run.run_id)).map((m) => m.to);
    expect(requests.filter((t) => t === "b@acme.test")).toHaveLength(2);
    expect(requests.filter((t) => t === "a@acme.test")).toHaveLength(1);
    expect(res.body.recipients).toEqual([
      { email: "a@acme.test", status: "approved" },
      { email: "b@acme.test", status: "pending" },
    ]);
  });

  it("refuses what it cannot do: unknown recipient 404, decided 409, closed wait 409, bad body 422", async () => {
    const run = await signoff();
    const wait = await waitOfRun(run.run_id);
    const stranger = await resend(run.run_id, wait.wait_id, { recipient: "x@acme.test" });
    expect(stranger.status).toBe(404);
    expect(envelope(stranger).code).toBe("not_found");
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    expect((await resend(run.run_id, wait.wait_id, { recipient: "a@acme.test" })).status).toBe(409);
    expect((await resend(run.run_id, wait.wait_id, { recipient: "not-an-email" })).status).toBe(422);
    const other = "wait_00000000000000000000000000";
    expect((await resend(run.run_id, other)).status).toBe(409);
    await api("POST", `/v1/executions/${run.run_id}/cancel`);
    const closed = await resend(run.run_id, wait.wait_id);
    expect(closed.status).toBe(409);
    expect(envelope(closed).code).toBe("conflict");
  });
});

describe("reassign", () => {
  it("moves the link: from's link stops working, to's link decides", async () => {
    const run = await signoff();
    const wait = await waitOfRun(run.run_id);
    const fromLink = await linkOf(run.run_id, "b@acme.test");
    const res = await reassign(run.run_id, wait.wait_id, "b@acme.test", "deputy@acme.test");
    expect(res.status, res.text).toBe(200);
    expect(res.body.recipients).toEqual([
      { email: "a@acme.test", status: "pending" },
      { email: "deputy@acme.test", status: "pending" },
      { email: "b@acme.test", status: "reassigned" },
    ]);
    expect((await resumeRun(run.run_id, fromLink, { decision: "approved" })).status).toBe(410);
    const toLink = await linkOf(run.run_id, "deputy@acme.test");
    expect(toLink).not.toBe("");
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    const done = await resumeRun(run.run_id, toLink, { decision: "approved" });
    expect(done.body.status).toBe("completed");
    expect(await eventsOf(run.run_id, "wait.reassigned")).toEqual([
      expect.objectContaining({
        data: { from: maskEmail("b@acme.test"), to: maskEmail("deputy@acme.test"), by: "tester" },
      }),
    ]);
    const closed = await waitOfRun(run.run_id, "closed");
    expect(closed.recipients.map((r) => `${r.email}:${r.status}`)).toEqual([
      "a@acme.test:approved",
      "deputy@acme.test:approved",
      "b@acme.test:reassigned",
    ]);
  });

  it("never hands a link to a forbidden address, nor to a current recipient", async () => {
    const run = await signoff({ email: "boss@acme.test" });
    const wait = await waitOfRun(run.run_id);
    const forbidden = await reassign(run.run_id, wait.wait_id, "a@acme.test", "boss@acme.test");
    expect(forbidden.status).toBe(403);
    expect(envelope(forbidden).code).toBe("forbidden");
    expect((await reassign(run.run_id, wait.wait_id, "a@acme.test", "b@acme.test")).status).toBe(409);
    expect((await reassign(run.run_id, wait.wait_id, "x@acme.test", "y@acme.test")).status).toBe(404);
    expect((await mailsOf(run.run_id)).map((m) => m.to).sort()).toEqual(["a@acme.test", "b@acme.test"]);
  });

  it("is open to operators and closed to readers", async () => {
    const run = await signoff();
    const wait = await waitOfRun(run.run_id);
    const path = `/v1/executions/${run.run_id}/waits/${wait.wait_id}/resend`;
    expect((await api("POST", path, { key: "reader-key-000", json: {} })).status).toBe(403);
    expect((await api("POST", path, { key: "operator-key-789", json: {} })).status).toBe(200);
    expect((await api("GET", "/v1/waits", { key: "reader-key-000" })).status).toBe(200);
  });
});
