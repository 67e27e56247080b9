import type { Definition } from "../definitions/types";
import type { ChildEnd } from "../engine/child-run";
import type { RunState } from "../engine/state";

/** What a `workflow` step asks its run's object to start: a child run, keyed by the parent and `seq`. */
export interface ChildStartRequest {
  workflowId: string;
  version?: number;
  inputs: Record<string, unknown>;
  /** The parent's step execution this child belongs to: the same execution always reaches the same child. */
  seq: number;
}

/** What an executor may use: the definition, the run as it stands, the clock and the I/O it is given. */
export interface ExecutorContext {
  definition: Definition;
  run: RunState;
  now: number;
  /** Workflow secrets (SECRET_* only), for api_call rendering. */
  secrets: Record<string, string>;
  /** SECRETS_ALLOWED_HOSTS as configured (api_call parses it): where each secret may be sent. */
  secretHosts?: string | undefined;
  fetch?: typeof fetch;
  /** Starts (or finds) a `workflow` step's child run and answers where it stands; AppError when refused. */
  startChild?: (request: ChildStartRequest) => Promise<ChildEnd>;
}

/** The data templates see (one definition for every place a template is rendered). */
export { templateView as viewOf } from "../engine/view";
