/**
 * Approval policy rules (docs/approvals.md): `quorum` is reachable by the literal approvers, and
 * escalation levels come in order, each before the step's timeout. Templated approver lists are
 * checked when a run renders them (the step fails with `quorum_unreachable`).
 */
import { parseDuration } from "./duration";
import type { IssueList } from "./issues";
import { own, rawList, rawSteps } from "./raw";
import { DEFAULT_WAIT_TIMEOUT_MS } from "./types";

/** The distinct addresses a list names, or null when an entry is a template (known only at run time). */
export function literalAddresses(value: unknown): Set<string> | null {
  if (!Array.isArray(value)) return null;
  const out = new Set<string>();
  for (const entry of value) {
    if (typeof entry !== "string" || entry.includes("{{")) return null;
    for (const part of entry.split(",")) if (part.trim() !== "") out.add(part.trim().toLowerCase());
  }
  return out;
}

const durationOf = (value: unknown): number | null =>
  typeof value === "string" ? parseDuration(value) : null;

/** Checks every approval's `quorum` and `escalate` against its approvers and timeout. */
export function checkApprovalPolicies(raw: unknown, issues: IssueList): void {
  for (const { index, step, type } of rawSteps(raw)) {
    if (type !== "approval") continue;
    const at = ["steps", index] as const;
    const quorum = own(step, "quorum");
    const approvers = literalAddresses(own(step, "approvers"));
    if (typeof quorum === "number" && Number.isInteger(quorum) && quorum >= 1 && approvers) {
      const forbidden = literalAddresses(own(step, "forbid")) ?? new Set<string>();
      const allowed = [...approvers].filter((a) => !forbidden.has(a)).length;
      if (quorum > allowed) {
        const why = allowed < approvers.size ? ` (${approvers.size - allowed} of them forbidden)` : "";
        issues.add(
          [...at, "quorum"],
          `quorum ${quorum} needs at least ${quorum} approvers; the step lists ${allowed}${why}`,
        );
      }
    }
    const timeoutMs = durationOf(own(step, "timeout")) ?? DEFAULT_WAIT_TIMEOUT_MS;
    let previous = 0;
    for (const { index: level, item } of rawList(step, "escalate")) {
      const after = durationOf(own(item, "after"));
      if (after === null) continue; // an unparsable duration is reported by the shape check
      const path = [...at, "escalate", level, "after"];
      if (after <= previous) {
        issues.add(path, `must be later than the previous escalation level (escalate[${level - 1}].after)`);
      } else if (after >= timeoutMs) {
        const limit = own(step, "timeout") === undefined ? "the default timeout of 7d" : "the step's timeout";
        issues.add(path, `must be earlier than ${limit}: an escalation at or after it would never fire`);
      }
      previous = Math.max(previous, after);
    }
  }
}
