import type { MiddlewareHandler } from "hono";
import { createLogger } from "../../lib/logger";
import type { AppEnv } from "../app-env";
import { shownPath } from "./request-path";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Gives every request an id and a logger, and logs one line per request when it ends. */
export const requestContext = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const logger = createLogger(c.env.LOG_LEVEL, { request_id: requestId });
  c.set("requestId", requestId);
  c.set("logger", logger);
  const started = Date.now();
  await next();
  c.header("X-Request-Id", requestId);
  logger.info("request", {
    method: c.req.method,
    path: shownPath(c.req.path),
    status: c.res.status,
    duration_ms: Date.now() - started,
    principal: c.get("principal"),
    ...(c.get("runId") ? { run_id: c.get("runId") } : {}),
  });
};
