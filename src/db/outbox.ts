// The mail outbox: what the mail consumer sends and the dev mailbox lists. Rows are written with
// their transition (src/db/run-store.ts); this module reads them and records what became of them.
import { and, desc, eq, sql } from "drizzle-orm";
import { getDb } from "./client";
import { events, type MailOutboxRow, mailOutbox } from "./schema";

export type { MailOutboxRow };

const pendingMail = (id: string) => and(eq(mailOutbox.id, id), eq(mailOutbox.status, "pending"));

/** One outbox row, or null. */
export async function getOutboxRow(d1: D1Database, id: string): Promise<MailOutboxRow | null> {
  return (await getDb(d1).select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()) ?? null;
}

/** Marks a pending email sent, with the provider's message id. */
export async function markMailSent(d1: D1Database, id: string, at: number, providerMessageId: string | null) {
  await getDb(d1)
    .update(mailOutbox)
    .set({
      status: "sent",
      attempts: sql`${mailOutbox.attempts} + 1`,
      sentAt: at,
      providerMessageId,
      lastError: null,
    })
    .where(pendingMail(id));
}

/** Counts a failed attempt; the email stays pending (to be retried) or is failed for good. */
export async function markMailAttemptFailed(d1: D1Database, id: string, error: string, retry: boolean) {
  await getDb(d1)
    .update(mailOutbox)
    .set({
      attempts: sql`${mailOutbox.attempts} + 1`,
      lastError: error,
      status: retry ? "pending" : "failed",
    })
    .where(pendingMail(id));
}

/** Marks a pending email dropped: what it announced is over. */
export async function markMailDropped(d1: D1Database, id: string, reason: string) {
  await getDb(d1).update(mailOutbox).set({ status: "dropped", lastError: reason }).where(pendingMail(id));
}

/** Fails a still-pending email (the queue gave up on it). */
export async function markMailFailed(d1: D1Database, id: string) {
  await getDb(d1).update(mailOutbox).set({ status: "failed" }).where(pendingMail(id));
}

/** Records a mail event on the email's run. */
export async function recordMailEvent(
  d1: D1Database,
  row: MailOutboxRow,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  await getDb(d1)
    .insert(events)
    .values({
      runId: row.runId,
      type,
      stepId: row.stepId,
      data: JSON.stringify({ outbox_id: row.id, ...data }),
      createdAt: Date.now(),
    });
}

/** The newest emails first, at most `limit` (the dev mailbox). */
export async function listRecentMail(d1: D1Database, limit: number): Promise<MailOutboxRow[]> {
  return getDb(d1)
    .select()
    .from(mailOutbox)
    .orderBy(desc(mailOutbox.createdAt), desc(sql`rowid`))
    .limit(limit)
    .all();
}

/** The HTML body of one email, or null. */
export async function getMailHtml(d1: D1Database, id: string): Promise<string | null> {
  const row = await getDb(d1)
    .select({ html: mailOutbox.htmlBody })
    .from(mailOutbox)
    .where(eq(mailOutbox.id, id))
    .get();
  return row?.html ?? null;
}
