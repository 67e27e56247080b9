import { createRoute, z } from "@hono/zod-openapi";
import { AUTH, ErrorEnvelopeSchema, errorResponses, PaginationQuerySchema } from "../schemas/common";
import {
  definitionBody,
  ValidationOkSchema,
  WorkflowDetailSchema,
  WorkflowIdParam,
  WorkflowListSchema,
  WorkflowSummarySchema,
} from "../schemas/workflows";

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const createWorkflowRoute = createRoute({
  operationId: "createWorkflow",
  method: "post",
  path: "/v1/workflows",
  tags: ["Workflows"],
  summary: "Create a workflow from YAML or JSON",
  security: AUTH,
  request: { body: definitionBody },
  responses: {
    201: json(WorkflowSummarySchema, "Created (version 1, or the next version of a deleted workflow)"),
    ...errorResponses(400, 401, 409, 413, 415, 422),
  },
});

export const listWorkflowsRoute = createRoute({
  operationId: "listWorkflows",
  method: "get",
  path: "/v1/workflows",
  tags: ["Workflows"],
  summary: "List workflows (cursor pagination)",
  security: AUTH,
  request: { query: PaginationQuerySchema },
  responses: { 200: json(WorkflowListSchema, "A page of workflows"), ...errorResponses(400, 401, 422) },
});

export const validateWorkflowRoute = createRoute({
  operationId: "validateWorkflow",
  method: "post",
  path: "/v1/workflows/validate",
  tags: ["Workflows"],
  summary: "Validate a definition without saving it",
  security: AUTH,
  request: { body: definitionBody },
  responses: {
    200: json(ValidationOkSchema, "The definition is valid"),
    ...errorResponses(400, 401, 413, 415, 422),
  },
});

export const getWorkflowRoute = createRoute({
  operationId: "getWorkflow",
  method: "get",
  path: "/v1/workflows/{id}",
  tags: ["Workflows"],
  summary: "Get the latest version of a workflow, or ?version=N",
  security: AUTH,
  request: {
    params: WorkflowIdParam,
    query: z.object({
      version: z.coerce
        .number()
        .int()
        .min(1)
        .optional()
        .openapi({ param: { name: "version", in: "query" } }),
    }),
  },
  responses: { 200: json(WorkflowDetailSchema, "The workflow version"), ...errorResponses(401, 404, 422) },
});

export const putWorkflowRoute = createRoute({
  operationId: "updateWorkflow",
  method: "put",
  path: "/v1/workflows/{id}",
  tags: ["Workflows"],
  summary: "Save a new version; running runs keep the version they started with",
  security: AUTH,
  request: { params: WorkflowIdParam, body: definitionBody },
  responses: {
    201: json(WorkflowSummarySchema, "The new version"),
    ...errorResponses(400, 401, 404, 409, 413, 415, 422),
  },
});

export const deleteWorkflowRoute = createRoute({
  operationId: "deleteWorkflow",
  method: "delete",
  path: "/v1/workflows/{id}",
  tags: ["Workflows"],
  summary: "Soft delete; existing runs continue",
  security: AUTH,
  request: { params: WorkflowIdParam },
  responses: {
    204: { description: "Deleted" },
    ...errorResponses(401, 404, 422),
  },
});

export { ErrorEnvelopeSchema };
