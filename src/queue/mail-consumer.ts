import {
  getOutboxRow,
  markMailAttemptFailed,
  markMailDropped,
  markMailFailed,
  markMailSent,
  recordMailEvent,
} from "../db/outbox";
import { loadRun } from "../db/run-queries";
import type { MailOutboxRow } from "../db/schema";
import { isAppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { createEmailSender, type EmailSenderOverrides } from "../mail/create-sender";
import { isPermanentMailError, isTransientMailError } from "../mail/types";
import { retryDelaySeconds } from "./backoff";
import type { MailMessage } from "./messages";

/** Why an email should no longer go out (its run ended or its wait was answered), or null when it should. */
async function whyNotWanted(db: D1Database, row: MailOutboxRow): Promise<string | null> {
  const run = await loadRun(db, row.runId);
  if (!run) return "the run no longer exists";
  if (run.status === "cancelled") return "the run was cancelled";
  if (run.status !== "waiting") return `the run has ${run.status === "running" ? "moved on" : "ended"}`;
  const wait = run.pending;
  if (wait?.kind !== "human" || wait.waitId !== row.waitId) return "the wait was already answered";
  return null;
}

/**
 * Sends one outbox email. Failures never touch the run: they are written to the outbox row and as
 * events, and transient ones retry the message with backoff. Returns what the queue should do.
 */
export async function deliverMail(
  env: Env,
  msg: MailMessage,
  deliveryAttempt: number,
  log: Logger,
  senderOverrides: EmailSenderOverrides = {},
): Promise<{ retryAfterSeconds?: number }> {
  const row = await getOutboxRow(env.DB, msg.outboxId);
  if (row?.status !== "pending") return {}; // unknown or already handled: a duplicate delivery
  const over = await whyNotWanted(env.DB, row);
  if (over) {
    await markMailDropped(env.DB, row.id, over);
    await recordMailEvent(env.DB, row, "mail.dropped", { to: row.toAddress, reason: over });
    log.info("mail dropped", { run_id: row.runId, outbox_id: row.id, reason: over });
    return {};
  }
  const now = Date.now();
  try {
    const sender = createEmailSender(env, senderOverrides);
    const sent = await sender.send({
      id: row.id,
      to: row.toAddress,
      from: env.EMAIL_FROM,
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
    });
    await markMailSent(env.DB, row.id, now, sent.providerMessageId ?? null);
    await recordMailEvent(env.DB, row, "mail.sent", { to: row.toAddress, provider: sender.name });
    log.info("mail sent", {
      run_id: row.runId,
      step_id: row.stepId,
      outbox_id: row.id,
      provider: sender.name,
    });
    return {};
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Unknown errors (a network blip inside a provider) are retried; configuration errors are not.
    const transient = isTransientMailError(e) || (!isPermanentMailError(e) && !isAppError(e));
    await markMailAttemptFailed(env.DB, row.id, message.slice(0, 1000), transient);
    await recordMailEvent(env.DB, row, transient ? "mail.retrying" : "mail.failed", {
      to: row.toAddress,
      error: message.slice(0, 500),
      attempt: deliveryAttempt,
    });
    log.warn("mail not sent", { run_id: row.runId, outbox_id: row.id, transient, error: message });
    if (!transient) return {};
    const hinted = isTransientMailError(e) && e.retryAfterMs ? e.retryAfterMs / 1000 : undefined;
    return { retryAfterSeconds: retryDelaySeconds(deliveryAttempt, hinted) };
  }
}

/** After the queue's retries: the email is marked failed; the run is not affected. */
export async function abandonMail(env: Env, msg: MailMessage): Promise<void> {
  const row = await getOutboxRow(env.DB, msg.outboxId);
  if (row?.status !== "pending") return;
  await markMailFailed(env.DB, row.id);
  await recordMailEvent(env.DB, row, "mail.failed", {
    to: row.toAddress,
    error: "gave up after the queue's retries",
  });
}
