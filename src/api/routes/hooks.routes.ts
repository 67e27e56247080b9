import { createRoute, z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../definitions/identifiers";
import { errorResponses } from "../schemas/common";
import { RunStatusSchema } from "../schemas/executions";

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const header = (name: string, example: string) =>
  z
    .string()
    .optional()
    .openapi({ param: { name, in: "header" }, example });

export const receiveWebhookRoute = createRoute({
  operationId: "receiveWebhook",
  method: "post",
  path: "/hooks/{workflow_id}",
  tags: ["Triggers"],
  // No API key: the Standard Webhooks signature is the credential.
  security: [],
  summary: "Start a run of a workflow with a `webhook` trigger from a signed post (Standard Webhooks)",
  description:
    "No API key: the Standard Webhooks signature is the credential, made with the workflow's secret in " +
    "WEBHOOK_SECRETS. The JSON object body becomes the run's `inputs` (an empty body: `{}`), checked " +
    "against the workflow's `inputs` schema. The same `webhook-id` always answers the run it started.",
  request: {
    params: z.object({
      workflow_id: z
        .string()
        .regex(ID_PATTERN)
        .openapi({ param: { name: "workflow_id", in: "path" }, example: "intake" }),
    }),
    headers: z.object({
      "webhook-id": header("webhook-id", "msg_2b8Q7yWzN1"),
      "webhook-timestamp": header("webhook-timestamp", "1796169305"),
      "webhook-signature": header("webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
    }),
  },
  responses: {
    202: json(RunStatusSchema, "A new run, driven to its first wait, AI step or end"),
    200: json(RunStatusSchema, "The run an earlier post with the same webhook-id started"),
    ...errorResponses(400, 401, 404, 413, 422),
  },
});
