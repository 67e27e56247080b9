import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./api/app-env";
import { docsPage } from "./api/docs-page";
import { errorBody, handleError } from "./api/errors";
import { apiKeyAuth } from "./api/middleware/auth";
import { limitBody } from "./api/middleware/body-limit";
import { requestContext } from "./api/middleware/request-context";
import { tracing } from "./api/middleware/tracing";
import { executionRoutes } from "./api/routes/executions";
import { hookRoutes } from "./api/routes/hooks";
import { schemaRoutes } from "./api/routes/schemas";
import { systemRoutes } from "./api/routes/system";
import { waitRoutes } from "./api/routes/waits";
import { workflowStatsRoutes } from "./api/routes/workflow-stats";
import { workflowRoutes } from "./api/routes/workflows";
import { validationHook } from "./api/validation-hook";
import { consoleRoutes } from "./console/routes";
import { devMailRoutes } from "./dev/mailbox-routes";
import { linkRoutes } from "./links/routes";

/** Builds the HTTP app: middleware, routes, OpenAPI document, docs and the JSON error handler. */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", tracing());
  app.use("*", requestContext());
  // The links sub-app bounds its own bodies, so that its onError answers a post over 1 MiB with a page.
  app.use("/v1/*", limitBody());
  app.use("/v1/*", apiKeyAuth());
  // Webhooks carry no API key: their signature is checked by the route (docs/triggers.md).
  app.use("/hooks/*", limitBody());

  app.route("/", systemRoutes);
  app.route("/", workflowRoutes);
  app.route("/", workflowStatsRoutes);
  app.route("/", executionRoutes);
  app.route("/", waitRoutes);
  app.route("/", schemaRoutes);
  app.route("/", hookRoutes);
  // Human pages and the dev mailbox: outside /v1, no API key (the link's token is the capability).
  app.route("/r", linkRoutes);
  app.route("/dev", devMailRoutes);
  app.route("/console", consoleRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key from API_KEYS",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Scaff API",
      version: "0.1.0",
      description: "Reliable AI workflows with humans in the loop.",
      license: { name: "UNLICENSED" },
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Workflows", description: "Workflow definitions and their versions" },
      { name: "Executions", description: "Runs of workflows" },
      { name: "Waits", description: "The inbox of human waits: list, resend and reassign links" },
      { name: "System", description: "Health and the workflow JSON Schema" },
      { name: "Triggers", description: "Runs started by signed webhooks" },
    ],
  });
  // Swagger UI from this origin's static assets (wrangler.toml [assets]); the page itself sets the CSP.
  app.get("/docs", docsPage);

  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );
  app.onError(handleError);
  return app;
}
