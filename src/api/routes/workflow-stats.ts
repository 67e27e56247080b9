import { OpenAPIHono } from "@hono/zod-openapi";
import { workflowStats } from "../../db/run-stats";
import type { AppEnv } from "../app-env";
import { validationHook } from "../validation-hook";
import { workflowStatsRoute } from "./workflow-stats.routes";

/** `GET /v1/workflows/{id}/stats`, from D1's run index (src/db/run-stats.ts). */
export const workflowStatsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

workflowStatsRoutes.openapi(workflowStatsRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { since } = c.req.valid("query");
  const from = since ? Date.parse(since) : 0;
  const stats = await workflowStats(c.env.DB, id, from);
  return c.json({ workflow_id: id, since: since ? new Date(from).toISOString() : null, ...stats }, 200);
});
