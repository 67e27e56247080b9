import { createRoute } from "@hono/zod-openapi";
import { AUTH, errorResponses } from "../schemas/common";
import {
  ReassignSchema,
  ResendSchema,
  WaitListQuery,
  WaitListSchema,
  WaitParams,
  WaitSchema,
} from "../schemas/waits";

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T>(schema: T, example: Record<string, unknown>) => ({
  required: true,
  content: { "application/json": { schema, example } },
});

export const listWaitsRoute = createRoute({
  operationId: "listWaits",
  method: "get",
  path: "/v1/waits",
  tags: ["Waits"],
  summary: "The waits inbox, newest first (filters: status, workflow_id, recipient)",
  security: AUTH,
  request: { query: WaitListQuery },
  responses: { 200: json(WaitListSchema, "A page of waits"), ...errorResponses(400, 401, 422) },
});

export const resendWaitRoute = createRoute({
  operationId: "resendWait",
  method: "post",
  path: "/v1/executions/{run_id}/waits/{wait_id}/resend",
  tags: ["Waits"],
  summary: "Email new links; the old links of those recipients stop working",
  security: AUTH,
  request: { params: WaitParams, body: body(ResendSchema, { recipient: "lead@acme.test" }) },
  responses: {
    200: json(WaitSchema, "The wait with its recipients"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export const reassignWaitRoute = createRoute({
  operationId: "reassignWait",
  method: "post",
  path: "/v1/executions/{run_id}/waits/{wait_id}/reassign",
  tags: ["Waits"],
  summary: "Move a recipient's link to someone else: `from` loses it, `to` gets a new one",
  security: AUTH,
  request: {
    params: WaitParams,
    body: body(ReassignSchema, { from: "lead@acme.test", to: "deputy@acme.test" }),
  },
  responses: {
    200: json(WaitSchema, "The wait with its recipients"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});
