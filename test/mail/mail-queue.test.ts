import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/logger";
import { abandonMail, deliverMail } from "../../src/queue/mail-consumer";
import type { RunDb } from "../../src/run-db/client";
import { loadRun } from "../../src/run-db/runs";
import { writeTransition } from "../../src/run-db/store";
import { api } from "../helpers/api";
import { runDb, runStubOf } from "../helpers/run-db";
import { startRun } from "../helpers/runs";

/** The run as its object stores it. */
const storedRun = (runId: string) =>
  runInDurableObject(runStubOf(runId), (instance) =>
    loadRun((instance as unknown as { db: RunDb }).db, runId),
  );

const FLOW = `
id: mail-flow
name: Mail flow
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["{{profile.email}}", "boss@acme.test"]
    instructions: "Sign off {{runtime.item}}"
    timeout: 2d
`;

const log = createLogger("error");

interface OutboxRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  provider_message_id: string | null;
}

/** Starts a mail-flow run for `email`; its id and the outbox rows its wait wrote. */
async function startMailRun(email = "ann@acme.test") {
  const res = await startRun("mail-flow", { inputs: { item: "the budget" }, profile: { email } });
  expect(res.body.status).toBe("waiting");
  const rows = await runDb(res.body.run_id)
    .prepare("SELECT * FROM mail_outbox WHERE run_id = ? ORDER BY to_address")
    .bind(res.body.run_id)
    .all<OutboxRow>();
  return { runId: res.body.run_id, outbox: rows.results };
}

const eventTypes = async (runId: string) =>
  (
    await runDb(runId)
      .prepare("SELECT type FROM events WHERE run_id = ? ORDER BY id")
      .bind(runId)
      .all<{ type: string }>()
  ).results.map((r) => r.type);

/** A Resend stand-in behind the sender's fetch seam: answers with `status` and counts calls. */
function resendAnswering(status: number) {
  const calls: Request[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return new Response(JSON.stringify(status < 300 ? { id: "re_123" } : { message: "nope" }), {
      status,
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;
  return { calls, fetcher };
}

const resendEnv = { ...env, EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key" } as Env;

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

describe("emails for waits", () => {
  it("writes one email per recipient with its own link, in the same batch as the wait", async () => {
    const { runId, outbox } = await startMailRun();
    expect(outbox.map((m) => m.to_address)).toEqual(["ann@acme.test", "boss@acme.test"]);
    const links = outbox.map((m) => /https:\/\/scaff\.test\/r\/([\w.-]+)/.exec(m.text_body)?.[1]);
    expect(new Set(links).size).toBe(2);
    for (const m of outbox) {
      expect(m.subject).toContain("Mail flow");
      expect(m.text_body).toContain("Sign off the budget");
      expect(m.html_body).toContain("https://scaff.test/r/");
    }
    const tokens = await runDb(runId)
      .prepare("SELECT count(*) AS n FROM resume_tokens WHERE run_id = ? AND recipient IS NOT NULL")
      .bind(runId)
      .first<{ n: number }>();
    expect(tokens?.n).toBe(2);
    expect((await eventTypes(runId)).filter((t) => t === "mail.queued")).toHaveLength(2);
  });

  it("is sent by the real mail queue consumer (outbox provider): rows marked sent, mail.sent events", async () => {
    const { runId } = await startMailRun("queue@acme.test");
    const until = Date.now() + 10_000;
    let sent = 0;
    while (Date.now() < until) {
      const r = await runDb(runId)
        .prepare("SELECT count(*) AS n FROM mail_outbox WHERE run_id = ? AND status = 'sent'")
        .bind(runId)
        .first<{ n: number }>();
      sent = r?.n ?? 0;
      if (sent === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sent).toBe(2);
    expect((await eventTypes(runId)).filter((t) => t === "mail.sent")).toHaveLength(2);
  });

  it("retries transient provider failures with backoff, visible on the row and as events; the run keeps waiting", async () => {
    const { runId, outbox } = await startMailRun("retry@acme.test");
    const first = outbox[0];
    if (!first) throw new Error("no outbox row");
    await runDb(runId).prepare("UPDATE mail_outbox SET status = 'pending' WHERE id = ?").bind(first.id).run();
    const resend = resendAnswering(503);
    const outcome = await deliverMail(resendEnv, { kind: "mail", runId, outboxId: first.id }, 3, log, {
      fetch: resend.fetcher,
    });
    expect(resend.calls).toHaveLength(1);
    expect(resend.calls[0]?.headers.get("idempotency-key")).toBe(first.id);
    expect(outcome.retryAfterSeconds).toBeGreaterThanOrEqual(8);
    const row = await runDb(runId)
      .prepare("SELECT * FROM mail_outbox WHERE id = ?")
      .bind(first.id)
      .first<OutboxRow>();
    expect(row?.status).toBe("pending");
    expect(row?.last_error).toMatch(/503/);
    expect(await eventTypes(runId)).toContain("mail.retrying");
    expect((await storedRun(runId))?.status).toBe("waiting");

    const ok = resendAnswering(200);
    expect(
      await deliverMail(resendEnv, { kind: "mail", runId, outboxId: first.id }, 4, log, {
        fetch: ok.fetcher,
      }),
    ).toEqual({});
    const sent = await runDb(runId)
      .prepare("SELECT * FROM mail_outbox WHERE id = ?")
      .bind(first.id)
      .first<OutboxRow>();
    expect(sent).toMatchObject({ status: "sent", provider_message_id: "re_123", last_error: null });

    const again = resendAnswering(200);
    await deliverMail(resendEnv, { kind: "mail", runId, outboxId: first.id }, 5, log, {
      fetch: again.fetcher,
    });
    expect(again.calls).toHaveLength(0);
  });

  it("drops an email whose run was cancelled or whose wait was answered before it went out", async () => {
    const cancelled = await startMailRun("gone@acme.test");
    expect((await api("POST", `/v1/executions/${cancelled.runId}/cancel`)).status).toBe(200);
    const answered = await startMailRun("late@acme.test");
    const status = await api<{ waiting?: { resume_token?: string } }>(
      "GET",
      `/v1/executions/${answered.runId}`,
    );
    const resumed = await api("POST", `/v1/executions/${answered.runId}/resume`, {
      json: { token: status.body.waiting?.resume_token, data: { decision: "approved" } },
    });
    expect(resumed.status).toBe(200);

    for (const [run, reason] of [
      [cancelled, "the run was cancelled"],
      [answered, "the run has ended"],
    ] as const) {
      const first = run.outbox[0];
      if (!first) throw new Error("no outbox row");
      // The real consumer may have sent it already: put it back as if the queue were slow.
      await runDb(run.runId)
        .prepare("UPDATE mail_outbox SET status = 'pending' WHERE id = ?")
        .bind(first.id)
        .run();
      const resend = resendAnswering(200);
      expect(
        await deliverMail(resendEnv, { kind: "mail", runId: run.runId, outboxId: first.id }, 1, log, {
          fetch: resend.fetcher,
        }),
      ).toEqual({});
      expect(resend.calls).toHaveLength(0);
      const row = await runDb(run.runId)
        .prepare("SELECT status, last_error FROM mail_outbox WHERE id = ?")
        .bind(first.id)
        .first<{ status: string; last_error: string }>();
      expect(row).toEqual({ status: "dropped", last_error: reason });
      const dropped = await runDb(run.runId)
        .prepare("SELECT data FROM events WHERE run_id = ? AND type = 'mail.dropped'")
        .bind(run.runId)
        .first<{ data: string }>();
      expect(JSON.parse(dropped?.data ?? "{}")).toMatchObject({ outbox_id: first.id, reason });
    }
  });

  it("marks permanent failures and dead-lettered emails failed without failing the run", async () => {
    const { runId, outbox } = await startMailRun("perm@acme.test");
    const [a, b] = outbox;
    if (!a || !b) throw new Error("no outbox rows");
    await runDb(runId)
      .prepare("UPDATE mail_outbox SET status = 'pending' WHERE run_id = ?")
      .bind(runId)
      .run();
    const rejecting = resendAnswering(422);
    const outcome = await deliverMail(resendEnv, { kind: "mail", runId, outboxId: a.id }, 1, log, {
      fetch: rejecting.fetcher,
    });
    expect(outcome.retryAfterSeconds).toBeUndefined();
    await abandonMail(env, { kind: "mail", runId, outboxId: b.id });
    const rows = await runDb(runId)
      .prepare("SELECT status FROM mail_outbox WHERE run_id = ? ORDER BY id")
      .bind(runId)
      .all<{
        status: string;
      }>();
    expect(rows.results.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect((await eventTypes(runId)).filter((t) => t === "mail.failed")).toHaveLength(2);
    expect((await storedRun(runId))?.status).toBe("waiting");
  });

  it("writes nothing of a transition when any statement of its transaction fails", async () => {
    const { runId, outbox: written } = await startMailRun("atomic@acme.test");
    const before = await storedRun(runId);
    if (!before) throw new Error("no run");
    const counts = async () =>
      runDb(runId)
        .prepare(
          "SELECT (SELECT count(*) FROM events WHERE run_id = ?1) AS events, (SELECT count(*) FROM mail_outbox WHERE run_id = ?1) AS mail, (SELECT version FROM runs WHERE id = ?1) AS version",
        )
        .bind(runId)
        .first();
    const snapshot = await counts();
    const t = {
      run: { ...before, status: "failed" as const },
      insertSteps: [],
      updateSteps: [],
      events: [{ type: "run.failed" }],
      mintTokens: [],
      revokeWaits: [],
      closedWaits: [],
      cancelChildren: [],
      effects: [],
    };
    // The email reuses an existing outbox id: its insert fails, so the whole transaction must roll back.
    const outbox = [
      {
        id: written[0]?.id ?? "mail_x",
        stepId: "sign",
        waitId: "wait_x",
        tokenJti: "tok_missing",
        kind: "request" as const,
        to: "x@acme.test",
        subject: "s",
        text: "t",
        html: "h",
      },
    ];
    const attempt = () =>
      runInDurableObject(runStubOf(runId), (instance) => {
        writeTransition((instance as unknown as { db: RunDb }).db, t, { now: Date.now(), kid: "k", outbox });
      });
    await expect(attempt()).rejects.toThrow();
    expect(await counts()).toEqual(snapshot);
    expect((await storedRun(runId))?.status).toBe("waiting");
  });
});
