import { isAppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { createEmailSender, type EmailSenderOverrides } from "../mail/create-sender";
import { isPermanentMailError, isTransientMailError } from "../mail/types";
import { retryDelaySeconds } from "./backoff";
import type { MailMessage } from "./messages";

interface OutboxRow {
  id: string;
  run_id: string;
  step_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: string;
  attempts: number;
}

async function recordEvent(db: D1Database, row: OutboxRow, type: string, data: Record<string, unknown>) {
  await db
    .prepare("INSERT INTO events (run_id, type, step_id, data, created_at) VALUES (?, ?, ?, ?, ?)")
    .bind(row.run_id, type, row.step_id, JSON.stringify({ outbox_id: row.id, ...data }), Date.now())
    .run();
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
  const row = await env.DB.prepare("SELECT * FROM mail_outbox WHERE id = ?")
    .bind(msg.outboxId)
    .first<OutboxRow>();
  if (row?.status !== "pending") return {}; // unknown or already handled: a duplicate delivery
  const now = Date.now();
  try {
    const sender = createEmailSender(env, senderOverrides);
    const sent = await sender.send({
      id: row.id,
      to: row.to_address,
      from: env.EMAIL_FROM,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
    });
    await env.DB.batch([
      env.DB.prepare(
        "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, provider_message_id = ?, last_error = NULL WHERE id = ? AND status = 'pending'",
      ).bind(now, sent.providerMessageId ?? null, row.id),
    ]);
    await recordEvent(env.DB, row, "mail.sent", { to: row.to_address, provider: sender.name });
    log.info("mail sent", {
      run_id: row.run_id,
      step_id: row.step_id,
      outbox_id: row.id,
      provider: sender.name,
    });
    return {};
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Unknown errors (a network blip inside a provider) are retried; configuration errors are not.
    const transient = isTransientMailError(e) || (!isPermanentMailError(e) && !isAppError(e));
    await env.DB.prepare(
      `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, status = ? WHERE id = ? AND status = 'pending'`,
    )
      .bind(message.slice(0, 1000), transient ? "pending" : "failed", row.id)
      .run();
    await recordEvent(env.DB, row, transient ? "mail.retrying" : "mail.failed", {
      to: row.to_address,
      error: message.slice(0, 500),
      attempt: deliveryAttempt,
    });
    log.warn("mail not sent", { run_id: row.run_id, outbox_id: row.id, transient, error: message });
    if (!transient) return {};
    const hinted = isTransientMailError(e) && e.retryAfterMs ? e.retryAfterMs / 1000 : undefined;
    return { retryAfterSeconds: retryDelaySeconds(deliveryAttempt, hinted) };
  }
}

/** After the queue's retries: the email is marked failed; the run is not affected. */
export async function abandonMail(env: Env, msg: MailMessage): Promise<void> {
  const row = await env.DB.prepare("SELECT * FROM mail_outbox WHERE id = ?")
    .bind(msg.outboxId)
    .first<OutboxRow>();
  if (row?.status !== "pending") return;
  await env.DB.prepare("UPDATE mail_outbox SET status = 'failed' WHERE id = ? AND status = 'pending'")
    .bind(row.id)
    .run();
  await recordEvent(env.DB, row, "mail.failed", {
    to: row.to_address,
    error: "gave up after the queue's retries",
  });
}
