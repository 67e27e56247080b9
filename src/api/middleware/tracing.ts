import { SpanKind } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { annotateSpan, traced } from "../../telemetry";
import type { AppEnv } from "../app-env";
import { shownPath } from "./request-path";

/** The route pattern that answered (`/v1/executions/:run_id`), so span names stay few; else the method. */
function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | undefined {
  const routes = c.req.matchedRoutes.filter((r) => r.method !== "ALL" && r.path !== "/*");
  return routes[routes.length - 1]?.path;
}

/**
 * The request's server span (when OTEL_EXPORTER_OTLP_ENDPOINT is set), child of the caller's
 * `traceparent`; its context goes on to the run's object and the queues. Never the query string.
 */
export const tracing = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const waitUntil = (p: Promise<unknown>) => {
    try {
      c.executionCtx.waitUntil(p);
    } catch {
      // No execution context (`app.request` without one): the export finishes on its own.
    }
  };
  const attributes = { "http.request.method": c.req.method, "url.path": shownPath(c.req.path) };
  await traced(
    c.env,
    c.req.header("traceparent"),
    c.req.method,
    { kind: SpanKind.SERVER, attributes },
    async () => {
      await next();
      const route = routeOf(c);
      annotateSpan(
        { "http.route": route, "http.response.status_code": c.res.status },
        route ? `${c.req.method} ${route}` : undefined,
      );
    },
    waitUntil,
  );
};
