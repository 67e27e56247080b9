/**
 * Review rules (docs/review.md): an approval's `review` names an ai_generate step with an `output`
 * that can run before it; `editable`, `allow_changes` and `max_revisions` only with `review`; an
 * ai_generate step's `fixers` only with `on_invalid: fix`.
 */
import type { IssueList } from "./issues";
import { own, ownString, type RawStep, rawSteps } from "./raw";
import { checkMustache } from "./rules-content";
import { stepsReachableFrom } from "./rules-graph";

const REVIEW_ONLY = ["editable", "allow_changes", "max_revisions"] as const;

/** Checks every approval's review keys and every ai_generate step's fixers. */
export function checkReviews(raw: unknown, issues: IssueList): void {
  const steps = rawSteps(raw);
  const byId = new Map(steps.filter((s) => s.id !== undefined).map((s) => [s.id as string, s]));
  for (const s of steps) {
    if (s.type === "approval") checkApproval(raw, s, byId, issues);
    if (s.type === "ai_generate") checkFixers(s, issues);
  }
}

function checkApproval(raw: unknown, s: RawStep, byId: Map<string, RawStep>, issues: IssueList): void {
  const review = own(s.step, "review");
  if (review === undefined) {
    for (const key of REVIEW_ONLY) {
      if (own(s.step, key) !== undefined) issues.add(["steps", s.index, key], `"${key}" needs "review"`);
    }
    return;
  }
  // A review that is not a string is reported by the shape check.
  if (typeof review !== "string") return;
  const at = ["steps", s.index, "review"];
  const target = byId.get(review);
  if (!target) {
    issues.add(at, `no step has id "${review}"`);
    return;
  }
  if (target.type !== "ai_generate") {
    issues.add(
      at,
      `"${review}" is a step of type ${target.type ?? "(none)"}; review names an ai_generate step`,
    );
    return;
  }
  if (ownString(target.step, "output") === undefined) {
    issues.add(
      at,
      `"${review}" has no "output": give it one, so the reviewed (and edited) result has a place`,
    );
  }
  if (s.id !== undefined && !stepsReachableFrom(raw, review).has(s.id)) {
    issues.add(at, `"${review}" can never run before this approval: no path leads from it to "${s.id}"`);
  }
}

function checkFixers(s: RawStep, issues: IssueList): void {
  const fixers = own(s.step, "fixers");
  if (fixers === undefined) return;
  if (own(s.step, "on_invalid") !== "fix") {
    issues.add(["steps", s.index, "fixers"], `"fixers" needs "on_invalid: fix"`);
  }
  if (!Array.isArray(fixers)) return;
  fixers.forEach((f, i) => {
    if (typeof f === "string") checkMustache(f, ["steps", s.index, "fixers", i], issues);
  });
}
