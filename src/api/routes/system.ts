import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { pingDb } from "../../db/client";
import type { AppEnv } from "../app-env";
import { errorResponses } from "../schemas/common";

const HealthSchema = z
  .object({ status: z.literal("ok"), d1: z.literal("ok"), time: z.string() })
  .openapi("Health");

export const healthRoute = createRoute({
  operationId: "getHealth",
  method: "get",
  path: "/health",
  tags: ["System"],
  summary: "Liveness, including that D1 answers",
  security: [],
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthSchema } } },
    ...errorResponses(),
  },
});

/** Unauthenticated system endpoints. */
export const systemRoutes = new OpenAPIHono<AppEnv>();

systemRoutes.openapi(healthRoute, async (c) => {
  await pingDb(c.env.DB);
  return c.json({ status: "ok" as const, d1: "ok" as const, time: new Date().toISOString() }, 200);
});
