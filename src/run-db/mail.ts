// The run's mail outbox: rows are written with their transition (store.ts); the mail consumer asks
// the run's object for one (src/durable/mail.ts), which records here what became of it.

import { and, eq, sql } from "drizzle-orm";
import type { MailOutboxRow } from "../db/schema";
import { maskPii } from "../lib/pii";
import type { RunDb } from "./client";
import { events, mailOutbox } from "./schema";

export type { MailOutboxRow };

const pendingMail = (id: string) => and(eq(mailOutbox.id, id), eq(mailOutbox.status, "pending"));

/** One outbox row, or null. */
export function getOutboxRow(db: RunDb, id: string): MailOutboxRow | null {
  return db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get() ?? null;
}

/** What became of a pending email, and the event that says so, in one transaction. */
export type MailFate =
  | { status: "sent"; providerMessageId: string | null; provider: string }
  | { status: "retrying" | "failed"; error: string; attempt: number }
  | { status: "dropped"; reason: string }
  | { status: "abandoned" };

function fateColumns(fate: MailFate, at: number) {
  const counted = { attempts: sql`${mailOutbox.attempts} + 1` };
  switch (fate.status) {
    case "sent":
      return {
        ...counted,
        status: "sent" as const,
        sentAt: at,
        providerMessageId: fate.providerMessageId,
        lastError: null,
      };
    case "retrying":
      return { ...counted, status: "pending" as const, lastError: fate.error.slice(0, 1000) };
    case "failed":
      return { ...counted, status: "failed" as const, lastError: fate.error.slice(0, 1000) };
    case "dropped":
      return { status: "dropped" as const, lastError: fate.reason };
    case "abandoned":
      return { status: "failed" as const };
  }
}

function fateEvent(fate: MailFate, to: string): { type: string; data: Record<string, unknown> } {
  switch (fate.status) {
    case "sent":
      return { type: "mail.sent", data: { to, provider: fate.provider } };
    case "retrying":
    case "failed":
      return {
        type: `mail.${fate.status}`,
        data: { to, error: fate.error.slice(0, 500), attempt: fate.attempt },
      };
    case "dropped":
      return { type: "mail.dropped", data: { to, reason: fate.reason } };
    case "abandoned":
      return { type: "mail.failed", data: { to, error: "gave up after the queue's retries" } };
  }
}

/** Records what became of a pending email (a row no longer pending is left alone); the row after it. */
export function recordMailFate(
  db: RunDb,
  row: MailOutboxRow,
  fate: MailFate,
  at: number,
): MailOutboxRow | null {
  return db.transaction(() => {
    const current = getOutboxRow(db, row.id);
    if (current?.status !== "pending") return current;
    db.update(mailOutbox).set(fateColumns(fate, at)).where(pendingMail(row.id)).run();
    const e = fateEvent(fate, row.toAddress);
    const data = JSON.stringify(maskPii({ outbox_id: row.id, ...e.data }));
    db.insert(events)
      .values({ runId: row.runId, type: e.type, stepId: row.stepId, data, createdAt: at })
      .run();
    return getOutboxRow(db, row.id);
  });
}

/** Outbox rows by id (what the dev mailbox copies after a transition). */
export function outboxRows(db: RunDb, ids: readonly string[]): MailOutboxRow[] {
  return ids.flatMap((id) => {
    const row = getOutboxRow(db, id);
    return row ? [row] : [];
  });
}
