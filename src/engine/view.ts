import type { RunContext } from "./state";

/** What a template needs of a run: RunState and RunRecord both have it. */
export interface ViewedRun {
  id: string;
  currentStep: string | null;
  context: RunContext;
}

/**
 * The one view every template renders over — prompts, recipients, api_call requests, approval
 * instructions in the status body, the email and the page: the run's context and `run`. Never secrets
 * (api_call adds those itself).
 */
export const templateView = (run: ViewedRun) => ({
  static: run.context.static,
  profile: run.context.profile,
  runtime: run.context.runtime,
  run: { id: run.id, step_id: run.currentStep ?? "" },
});
