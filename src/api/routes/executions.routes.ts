import { createRoute, z } from "@hono/zod-openapi";
import { AUTH, errorResponses, PaginationQuerySchema } from "../schemas/common";
import {
  ContextSchema,
  EventsSchema,
  HistorySchema,
  ResumeSchema,
  RunIdParam,
  RunListSchema,
  RunStatusEnum,
  RunStatusSchema,
  StartRunSchema,
} from "../schemas/executions";

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T>(schema: T, example: Record<string, unknown>) => ({
  required: true,
  content: { "application/json": { schema, example } },
});
const START_EXAMPLE = {
  workflow_id: "triage",
  inputs: { ticket: "Checkout is down", tags: ["urgent", "payments"] },
  profile: { email: "agent@example.com" },
};
const RESUME_EXAMPLE = { token: "<waiting.resume_token from the run's status>", data: { score: 90 } };

export const startRunRoute = createRoute({
  operationId: "startExecution",
  method: "post",
  path: "/v1/executions",
  tags: ["Executions"],
  summary: "Start a run (Idempotency-Key makes retries safe)",
  security: AUTH,
  request: {
    body: body(StartRunSchema, START_EXAMPLE),
    headers: z.object({
      "idempotency-key": z
        .string()
        .min(1)
        .max(255)
        .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
        .optional()
        .openapi({ param: { name: "idempotency-key", in: "header" } }),
    }),
  },
  responses: {
    202: json(RunStatusSchema, "A new run, driven to its first wait, AI step or end"),
    200: json(RunStatusSchema, "The run an earlier request with the same Idempotency-Key and body started"),
    ...errorResponses(400, 401, 404, 413, 415, 422),
  },
});

export const listRunsRoute = createRoute({
  operationId: "listExecutions",
  method: "get",
  path: "/v1/executions",
  tags: ["Executions"],
  summary: "List runs, newest first (filters: workflow_id, status)",
  security: AUTH,
  request: {
    query: PaginationQuerySchema.extend({
      workflow_id: z
        .string()
        .max(64)
        .optional()
        .openapi({ param: { name: "workflow_id", in: "query" } }),
      status: RunStatusEnum.optional().openapi({ param: { name: "status", in: "query" } }),
    }),
  },
  responses: { 200: json(RunListSchema, "A page of runs"), ...errorResponses(400, 401, 422) },
});

export const getRunRoute = createRoute({
  operationId: "getExecution",
  method: "get",
  path: "/v1/executions/{run_id}",
  tags: ["Executions"],
  summary: "A run's status; `waiting` carries the resume token and form fields",
  security: AUTH,
  request: { params: RunIdParam },
  responses: { 200: json(RunStatusSchema, "The run"), ...errorResponses(401, 404, 422) },
});

export const resumeRunRoute = createRoute({
  operationId: "resumeExecution",
  method: "post",
  path: "/v1/executions/{run_id}/resume",
  tags: ["Executions"],
  summary: "Resume a waiting run with its token and the form data or approval decision",
  security: AUTH,
  request: { params: RunIdParam, body: body(ResumeSchema, RESUME_EXAMPLE) },
  responses: {
    200: json(RunStatusSchema, "Accepted; the run moved on"),
    ...errorResponses(400, 401, 403, 404, 409, 410, 413, 415, 422),
  },
});

export const cancelRunRoute = createRoute({
  operationId: "cancelExecution",
  method: "post",
  path: "/v1/executions/{run_id}/cancel",
  tags: ["Executions"],
  summary: "Cancel a waiting or running run; its links stop working",
  security: AUTH,
  request: { params: RunIdParam },
  responses: { 200: json(RunStatusSchema, "Cancelled"), ...errorResponses(401, 404, 409, 422) },
});

export const historyRoute = createRoute({
  operationId: "getExecutionHistory",
  method: "get",
  path: "/v1/executions/{run_id}/history",
  tags: ["Executions"],
  summary: "Every step execution with its attempts, inputs, outputs, errors and timings",
  security: AUTH,
  request: { params: RunIdParam },
  responses: { 200: json(HistorySchema, "The history"), ...errorResponses(401, 404, 422) },
});

export const contextRoute = createRoute({
  operationId: "getExecutionContext",
  method: "get",
  path: "/v1/executions/{run_id}/context",
  tags: ["Executions"],
  summary: "The run's context {static, profile, runtime}",
  security: AUTH,
  request: { params: RunIdParam },
  responses: { 200: json(ContextSchema, "The context"), ...errorResponses(401, 404, 422) },
});

export const eventsRoute = createRoute({
  operationId: "listExecutionEvents",
  method: "get",
  path: "/v1/executions/{run_id}/events",
  tags: ["Executions"],
  summary: "Lifecycle, step, AI and mail events in order",
  security: AUTH,
  request: {
    params: RunIdParam,
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(500)
        .openapi({ param: { name: "limit", in: "query" } }),
      cursor: z
        .string()
        .max(512)
        .optional()
        .openapi({ param: { name: "cursor", in: "query" } }),
    }),
  },
  responses: { 200: json(EventsSchema, "Events, oldest first"), ...errorResponses(400, 401, 404, 422) },
});
