import type { Definition } from "../definitions/types";
import type { RunState } from "../engine/state";

/** What an executor may use: the definition, the run as it stands, the clock and the I/O it is given. */
export interface ExecutorContext {
  definition: Definition;
  run: RunState;
  now: number;
  /** Workflow secrets (SECRET_* only), for api_call rendering. */
  secrets: Record<string, string>;
  fetch?: typeof fetch;
}

/** The data templates and expressions see: never secrets. */
export const viewOf = (run: RunState) => ({
  static: run.context.static,
  profile: run.context.profile,
  runtime: run.context.runtime,
  run: { id: run.id, step_id: run.currentStep ?? "" },
});
