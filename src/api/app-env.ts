import type { Role } from "../config/env";
import type { Logger } from "../lib/logger";

/** Hono environment of the app: bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    logger: Logger;
    /** The name of the API key that authenticated the request. */
    principal: string;
    /** What that key may do. */
    role: Role;
    /** The run the request started or answered: its log line names it (the run's object logs those at debug). */
    runId?: string;
  };
}
