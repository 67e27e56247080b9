import { SpanKind } from "@opentelemetry/api";
import { legacyOutboxRunId } from "../db/legacy-runs";
import { runStub } from "../durable/address";
import type { MailToSend } from "../durable/mail";
import { type RpcResult, unwrap } from "../durable/rpc";
import { isAppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { createEmailSender, type EmailSenderOverrides } from "../mail/create-sender";
import { isPermanentMailError, isTransientMailError } from "../mail/types";
import type { MailFate } from "../run-db/mail";
import { withSpan } from "../telemetry";
import { retryDelaySeconds } from "./backoff";
import type { MailMessage } from "./messages";

/** The run an email belongs to (messages queued before the move name only the outbox row). */
async function runIdOf(env: Env, msg: MailMessage): Promise<string | null> {
  return msg.runId ?? (await legacyOutboxRunId(env.DB, msg.outboxId));
}

/** Tells the run's object what became of an email (a run it no longer knows has nothing to record). */
async function report(env: Env, runId: string, outboxId: string, fate: MailFate): Promise<void> {
  const r = (await runStub(env, runId).mailOutcome(runId, outboxId, fate)) as RpcResult<null>;
  if (!r.ok && r.error.code !== "not_found") unwrap(r);
}

/**
 * Sends one outbox email: the run's object says whether it is still wanted (it drops one whose wait is
 * over) and records what became of it. Failures never touch the run: they are written to the outbox
 * row and as events, and transient ones retry the message with backoff. Returns what the queue should do.
 */
export async function deliverMail(
  env: Env,
  msg: MailMessage,
  deliveryAttempt: number,
  log: Logger,
  senderOverrides: EmailSenderOverrides = {},
): Promise<{ retryAfterSeconds?: number }> {
  const runId = await runIdOf(env, msg);
  if (!runId) return {};
  const asked = (await runStub(env, runId).mailToSend(runId, msg.outboxId)) as RpcResult<MailToSend | null>;
  if (!asked.ok && asked.error.code === "not_found") return {};
  const mail = unwrap(asked);
  if (!mail) return {}; // unknown, already handled (a duplicate delivery) or dropped
  try {
    const sender = createEmailSender(env, senderOverrides);
    // The span names the run, step and provider, never the address.
    const attributes = {
      "scaff.run_id": runId,
      "scaff.step_id": mail.stepId,
      "scaff.mail.provider": sender.name,
    };
    const sent = await withSpan("scaff.mail.send", { kind: SpanKind.CLIENT, attributes }, () =>
      sender.send({
        id: mail.id,
        to: mail.toAddress,
        from: env.EMAIL_FROM,
        subject: mail.subject,
        text: mail.textBody,
        html: mail.htmlBody,
      }),
    );
    const providerMessageId = sent.providerMessageId ?? null;
    await report(env, runId, mail.id, { status: "sent", providerMessageId, provider: sender.name });
    log.info("mail sent", { run_id: runId, step_id: mail.stepId, outbox_id: mail.id, provider: sender.name });
    return {};
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Unknown errors (a network blip inside a provider) are retried; configuration errors are not.
    const transient = isTransientMailError(e) || (!isPermanentMailError(e) && !isAppError(e));
    const status = transient ? "retrying" : "failed";
    await report(env, runId, mail.id, { status, error: message, attempt: deliveryAttempt });
    log.warn("mail not sent", { run_id: runId, outbox_id: mail.id, transient, error: message });
    if (!transient) return {};
    const hinted = isTransientMailError(e) && e.retryAfterMs ? e.retryAfterMs / 1000 : undefined;
    return { retryAfterSeconds: retryDelaySeconds(deliveryAttempt, hinted) };
  }
}

/** After the queue's retries: the email is marked failed; the run is not affected. */
export async function abandonMail(env: Env, msg: MailMessage): Promise<void> {
  const runId = await runIdOf(env, msg);
  if (runId) await report(env, runId, msg.outboxId, { status: "abandoned" });
}
