import type { AiGenerateStep, ApprovalStep, Definition, FormStep } from "../definitions/types";
import { AppError } from "../lib/errors";
import { stepById } from "./engine";
import { type LinkTarget, type LinkToken, openWait, tokenMatches } from "./link-check";
import { type HumanWait, type RunState, TERMINAL } from "./state";

/** What a resume answers: the run (with its definition), its open wait and the wait's human step. */
export interface ResumeTarget {
  run: RunState;
  def: Definition;
  wait: HumanWait;
  /** An ai_generate step when the wait is a `fix`. */
  step: FormStep | ApprovalStep | AiGenerateStep;
}

/**
 * The wait and step a resume answers, or the AppError refusing it, checked in this order: the run
 * exists, the token is this run's, unused, the run is neither cancelled nor ended, and it still waits
 * on this link's wait. `loaded` is null when the run was not found.
 */
export function resumeTarget(
  loaded: { run: RunState; def: Definition } | null,
  token: LinkToken | null,
  target: LinkTarget,
): ResumeTarget {
  if (!loaded) throw new AppError("not_found", `Run '${target.runId}' not found`);
  const { run, def } = loaded;
  if (!tokenMatches(token, target)) throw new AppError("unauthorized", "This link is not valid for this run");
  if (token.usedAt !== null) throw new AppError("conflict", "This link was already used");
  if (run.status === "cancelled") throw new AppError("conflict", "The run was cancelled");
  if (TERMINAL.has(run.status)) {
    const ended = run.status === "completed" ? "completed" : `ended (${run.status})`;
    throw new AppError("conflict", `The run has already ${ended}`);
  }
  const wait = openWait(run, token, target);
  if (!wait) {
    throw new AppError(
      "conflict",
      `The run is not waiting on step '${target.stepId}' for this link any more`,
    );
  }
  const step = stepById(def, wait.stepId);
  // A human wait parks only on a human step, or an AI step a person fixes: anything else is a bug.
  const fixes = wait.type === "fix" && step.type === "ai_generate";
  if (step.type !== "form" && step.type !== "approval" && !fixes)
    throw new Error(`step ${step.id} is not a human step`);
  return { run, def, wait, step };
}
