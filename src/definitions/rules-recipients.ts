/** The recipients rule: a step addresses at most MAX_RECIPIENTS people (checked again at run time). */
import { MAX_RECIPIENTS } from "../lib/limits";
import type { IssueList, PathSegment } from "./issues";
import { own, type RawObject } from "./raw";

/**
 * Counts the addresses a form's `assignee` or an approval's `approvers` names literally; an entry with
 * a template is counted when a run renders it (the step then fails with `too_many_recipients`).
 */
export function checkLiteralRecipients(step: RawObject, at: PathSegment[], issues: IssueList): void {
  for (const key of ["assignee", "approvers"]) {
    const value = own(step, key);
    const entries: unknown[] = Array.isArray(value) ? value : [value];
    const addresses = new Set<string>();
    for (const entry of entries) {
      if (typeof entry !== "string" || entry.includes("{{")) continue;
      for (const part of entry.split(",")) {
        if (part.trim() !== "") addresses.add(part.trim().toLowerCase());
      }
    }
    if (addresses.size > MAX_RECIPIENTS) {
      const message = `lists ${addresses.size} addresses; a step may address at most ${MAX_RECIPIENTS}`;
      issues.add([...at, key], message);
    }
  }
}
