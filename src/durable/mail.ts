import { isDevMode } from "../config/env";
import type { Logger } from "../lib/logger";
import { createLogger } from "../lib/logger";
import type { RunDb } from "../run-db/client";
import { getOutboxRow, type MailFate, type MailOutboxRow, recordMailFate } from "../run-db/mail";
import type { RunRecord } from "../run-db/run-model";
import { copyToDevMailbox } from "./index-sync";
import { pendingMailOf, whyNotWanted } from "./reads";
import { whyLinkStale } from "./stale-link";

/** The email the mail consumer sends (the outbox row's parts). */
export type MailToSend = Pick<
  MailOutboxRow,
  "id" | "runId" | "stepId" | "toAddress" | "subject" | "textBody" | "htmlBody"
>;

const logFor = (env: Env, row: MailOutboxRow): Logger =>
  createLogger(env.LOG_LEVEL, { run_id: row.runId, outbox_id: row.id });

/** Records an email's fate in the run's storage (and the dev mailbox's copy); the row after it. */
async function record(env: Env, db: RunDb, row: MailOutboxRow, fate: MailFate) {
  const after = recordMailFate(db, row, fate, Date.now());
  if (after && isDevMode(env)) await copyToDevMailbox(env.DB, [after], logFor(env, row));
  return after;
}

/**
 * What the mail consumer should send for `outboxId`: the email while its wait is open; null for a
 * duplicate delivery, or after dropping an email whose wait is over (recorded as `mail.dropped`).
 */
export async function mailToSend(
  env: Env,
  db: RunDb,
  run: RunRecord,
  outboxId: string,
): Promise<MailToSend | null> {
  const row = pendingMailOf(db, outboxId);
  if (!row) return null;
  const over = whyNotWanted(run, row) ?? whyLinkStale(db, row);
  if (over) {
    await record(env, db, row, { status: "dropped", reason: over });
    logFor(env, row).info("mail dropped", { reason: over });
    return null;
  }
  const { id, runId, stepId, toAddress, subject, textBody, htmlBody } = row;
  return { id, runId, stepId, toAddress, subject, textBody, htmlBody };
}

/** Records what the consumer reports of a send (a row no longer pending is left as it is). */
export async function mailFate(env: Env, db: RunDb, runId: string, outboxId: string, fate: MailFate) {
  const row = getOutboxRow(db, outboxId);
  if (row?.runId === runId) await record(env, db, row, fate);
  return null;
}
