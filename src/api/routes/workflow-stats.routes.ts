import { createRoute } from "@hono/zod-openapi";
import { AUTH, errorResponses } from "../schemas/common";
import { StatsQuerySchema, WorkflowStatsSchema } from "../schemas/stats";
import { WorkflowIdParam } from "../schemas/workflows";

export const workflowStatsRoute = createRoute({
  operationId: "getWorkflowStats",
  method: "get",
  path: "/v1/workflows/{id}/stats",
  tags: ["Workflows"],
  summary: "Runs per status, run duration percentiles, and what the AI steps used and cost",
  security: AUTH,
  request: { params: WorkflowIdParam, query: StatsQuerySchema },
  responses: {
    200: {
      description: "The workflow's stats",
      content: { "application/json": { schema: WorkflowStatsSchema } },
    },
    ...errorResponses(401, 404, 422),
  },
});
