import type { RunDb } from "../run-db/client";
import type { MailOutboxRow } from "../run-db/mail";
import { getTokenState } from "../run-db/tokens";

/**
 * Why an email's own link no longer works although its wait is open (a resend or reassign replaced
 * it, or its recipient decided meanwhile), or null: such an email is dropped, never sent.
 */
export function whyLinkStale(db: RunDb, row: MailOutboxRow): string | null {
  if (row.tokenJti === null) return null;
  const token = getTokenState(db, row.tokenJti);
  if (token?.usedAt != null) return "its recipient has already answered";
  if (token?.revokedAt != null) return "its link was replaced (resend or reassign)";
  return null;
}
