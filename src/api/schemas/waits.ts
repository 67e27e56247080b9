import { z } from "@hono/zod-openapi";
import { PaginationQuerySchema } from "./common";
import { RunIdParam } from "./executions";

const RecipientSchema = z.object({
  email: z.string(),
  status: z.enum(["pending", "approved", "rejected", "submitted", "reassigned", "revoked"]),
});

export const WaitSchema = z
  .object({
    run_id: z.string(),
    workflow_id: z.string(),
    step_id: z.string(),
    type: z.enum(["form", "approval", "fix"]),
    wait_id: z.string(),
    status: z.enum(["open", "closed"]),
    recipients: z.array(RecipientSchema),
    created_at: z.string(),
    expires_at: z.string(),
    closed_at: z.string().nullable(),
  })
  .openapi("Wait");

export const WaitListSchema = z
  .object({ items: z.array(WaitSchema), next_cursor: z.string().nullable() })
  .openapi("WaitList");

export const WaitListQuery = PaginationQuerySchema.extend({
  status: z
    .enum(["open", "closed"])
    .optional()
    .openapi({ param: { name: "status", in: "query" } }),
  workflow_id: z
    .string()
    .max(64)
    .optional()
    .openapi({ param: { name: "workflow_id", in: "query" } }),
  recipient: z
    .string()
    .max(254)
    .optional()
    .openapi({ param: { name: "recipient", in: "query" }, example: "lead@acme.test" }),
});

export const WaitParams = RunIdParam.extend({
  wait_id: z
    .string()
    .regex(/^wait_[0-9a-z]{26}$/, "not a wait id")
    .openapi({ param: { name: "wait_id", in: "path" }, example: "wait_01jd8x3k2m4n5p6q7r8s9t0v1w" }),
});

const email = z.email().max(254);

export const ResendSchema = z
  .object({
    recipient: email
      .optional()
      .openapi({ description: "Only this recipient (default: every undecided one)" }),
  })
  .strict()
  .openapi("ResendWait");

export const ReassignSchema = z.object({ from: email, to: email }).strict().openapi("ReassignWait");
