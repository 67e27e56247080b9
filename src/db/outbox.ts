// The mail outbox: what the mail consumer sends and the dev mailbox lists. Rows are written with
// their transition (src/db/run-store.ts); this module reads them and records what became of them.

/** An outbox row as the consumer reads it. */
export interface OutboxRow {
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

/** What the dev mailbox lists of one email. */
export interface MailListRow {
  id: string;
  run_id: string;
  step_id: string;
  kind: string;
  to_address: string;
  subject: string;
  status: string;
  last_error: string | null;
  text_body: string;
  created_at: number;
}

/** One outbox row, or null. */
export const getOutboxRow = (db: D1Database, id: string) =>
  db.prepare("SELECT * FROM mail_outbox WHERE id = ?").bind(id).first<OutboxRow>();

/** Marks a pending email sent, with the provider's message id. */
export async function markMailSent(db: D1Database, id: string, at: number, providerMessageId: string | null) {
  await db
    .prepare(
      "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, provider_message_id = ?, last_error = NULL WHERE id = ? AND status = 'pending'",
    )
    .bind(at, providerMessageId, id)
    .run();
}

/** Counts a failed attempt; the email stays pending (to be retried) or is failed for good. */
export async function markMailAttemptFailed(db: D1Database, id: string, error: string, retry: boolean) {
  await db
    .prepare(
      "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, status = ? WHERE id = ? AND status = 'pending'",
    )
    .bind(error, retry ? "pending" : "failed", id)
    .run();
}

/** Fails a still-pending email (the queue gave up on it). */
export async function markMailFailed(db: D1Database, id: string) {
  await db
    .prepare("UPDATE mail_outbox SET status = 'failed' WHERE id = ? AND status = 'pending'")
    .bind(id)
    .run();
}

/** Records a mail event on the email's run. */
export async function recordMailEvent(
  db: D1Database,
  row: OutboxRow,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  await db
    .prepare("INSERT INTO events (run_id, type, step_id, data, created_at) VALUES (?, ?, ?, ?, ?)")
    .bind(row.run_id, type, row.step_id, JSON.stringify({ outbox_id: row.id, ...data }), Date.now())
    .run();
}

/** The newest emails first, at most `limit`. */
export async function listRecentMail(db: D1Database, limit: number): Promise<MailListRow[]> {
  const rows = await db
    .prepare(
      `SELECT id, run_id, step_id, kind, to_address, subject, status, last_error, text_body, created_at
       FROM mail_outbox ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    )
    .bind(limit)
    .all<MailListRow>();
  return rows.results;
}

/** The HTML body of one email, or null. */
export async function getMailHtml(db: D1Database, id: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT html_body FROM mail_outbox WHERE id = ?")
    .bind(id)
    .first<{ html_body: string }>();
  return row?.html_body ?? null;
}
