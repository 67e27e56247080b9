import type { Definition } from "../definitions/types";
import type { RunState } from "../engine/state";

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
}

/** The data templates see (one definition for every place a template is rendered). */
export { templateView as viewOf } from "../engine/view";
