import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import workflowSchema from "../../../schemas/workflow.schema.json";
import type { AppEnv } from "../app-env";
import { errorResponses } from "../schemas/common";

export const workflowSchemaRoute = createRoute({
  operationId: "getWorkflowSchema",
  method: "get",
  path: "/schemas/workflow.json",
  tags: ["System"],
  summary: "JSON Schema (2020-12) of the workflow format, for editor autocomplete",
  description:
    "Shapes only: step targets, reachability, CEL and templates are checked when a workflow is validated or saved.",
  security: [],
  responses: {
    200: {
      description: "The schema committed as schemas/workflow.schema.json",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
    ...errorResponses(),
  },
});

/** The workflow JSON Schema, public like /openapi.json: it describes the format, not any data. */
export const schemaRoutes = new OpenAPIHono<AppEnv>();

schemaRoutes.openapi(workflowSchemaRoute, (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(workflowSchema as Record<string, unknown>, 200);
});
