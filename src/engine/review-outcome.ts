import type { WaitResolution } from "./outcomes";
import type { ReviewShown, Transition } from "./state";

/**
 * What a decided review writes beside the approval's result: its events (`review.decided`, and
 * `review.changes_requested` for a send-back, which also counts the revision and tells the AI step what
 * to revise), and the attempt's meta, which keeps the AI's original and the approved version for history.
 */
export function recordReview(
  t: Transition,
  ids: { stepId: string; attemptId: string },
  shown: ReviewShown,
  resolution: WaitResolution,
): Record<string, unknown> {
  const result = ("output" in resolution ? resolution.output : {}) as Record<string, unknown>;
  const { decision, approver, revision, content_hash, edited, comment } = result;
  t.events.push({
    ...ids,
    type: "review.decided",
    data: { decision, approver, revision, content_hash, edited },
  });
  if (resolution.kind === "changes_requested") {
    const loops = t.run.reviews ?? { revisions: {} };
    loops.revisions[ids.stepId] = (loops.revisions[ids.stepId] ?? 0) + 1;
    loops.request = resolution.request;
    t.run.reviews = loops;
    t.events.push({ ...ids, type: "review.changes_requested", data: { approver, revision, comment } });
  }
  const approved = resolution.kind === "approved" ? (resolution.edit?.value ?? shown.output) : undefined;
  return {
    review: {
      step: shown.aiStep,
      revision: shown.revision,
      original_output: shown.output,
      ...(approved !== undefined ? { approved_output: approved } : {}),
    },
  };
}
