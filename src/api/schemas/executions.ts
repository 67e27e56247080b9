import { z } from "@hono/zod-openapi";
import { jsonObject } from "./json-object";

export const RunStatusEnum = z.enum(["running", "waiting", "completed", "rejected", "failed", "cancelled"]);

export const RunIdParam = z.object({
  run_id: z
    .string()
    .regex(/^run_[0-9a-z]{26}$/, "not a run id")
    .openapi({ param: { name: "run_id", in: "path" }, example: "run_01jd8x3k2m4n5p6q7r8s9t0v1w" }),
});

const FieldSchema = z
  .object({
    name: z.string(),
    type: z.enum(["string", "number", "integer", "boolean"]),
    label: z.string().optional(),
    help: z.string().optional(),
    required: z.boolean(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
    pattern: z.string().optional(),
    format: z.string().optional(),
    min_length: z.number().optional(),
    max_length: z.number().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    sensitive: z.boolean().optional(),
  })
  .openapi("FormField");

export const UsageSchema = z
  .object({
    tokens_prompt: z.number().int(),
    tokens_output: z.number().int(),
    cost_usd: z.number().openapi({ description: "USD by AI_PRICES; attempts of unpriced models add 0" }),
    ai_attempts: z.number().int(),
    re_asks: z.number().int().openapi({ description: "Attempts that asked again after an invalid answer" }),
    human_fixes: z.number().int().openapi({ description: "AI outputs a person supplied (`ai.fixed`)" }),
  })
  .openapi("RunUsage", { description: "What the run's AI steps used so far" });

const ReviewWaitSchema = z
  .object({
    step_id: z.string().openapi({ description: "The ai_generate step whose output is reviewed" }),
    output: z.unknown().openapi({ description: "The output under review, as the reviewer sees it" }),
    content_hash: z.string().openapi({
      description:
        "sha256:<hex> of the output's RFC 8785 canonical JSON; send it back to refuse a stale review",
    }),
    revision: z.number().int(),
    editable: z.boolean(),
    allow_changes: z.boolean(),
    changes_left: z.number().int().openapi({ description: "Send-backs still allowed (changes_requested)" }),
    schema: z
      .unknown()
      .openapi({ description: "The ai_generate step's JSON Schema (what an edited output must match)" }),
  })
  .openapi("ReviewWait");

const FixWaitSchema = z
  .object({
    output: z.unknown().openapi({ description: "The AI's last output, which failed validation" }),
    errors: z.array(z.object({ path: z.string(), keyword: z.string(), message: z.string() })),
    schema: z.unknown().openapi({ description: "The JSON Schema the fixed output must match" }),
  })
  .openapi("FixWait");

export const RunStatusSchema = z
  .object({
    run_id: z.string(),
    workflow_id: z.string(),
    workflow_version: z.number().int(),
    status: RunStatusEnum,
    current_step: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    usage: UsageSchema,
    parent_run_id: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "The run whose `workflow` step started this one, else null" }),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        step_id: z.string().optional(),
        details: z.array(z.unknown()).optional(),
      })
      .optional(),
    waiting: z
      .object({
        step_id: z.string(),
        type: z.enum(["form", "approval", "fix"]),
        resume_token: z.string(),
        resume_url: z.string(),
        expires_at: z.string(),
        title: z.string().optional(),
        instructions: z.string().optional(),
        fields: z.array(FieldSchema).optional(),
        review: ReviewWaitSchema.optional(),
        fix: FixWaitSchema.optional(),
        approvals: z
          .object({ required: z.number().int(), received: z.number().int() })
          .optional()
          .openapi({ description: "Approvals: how many the step needs (its quorum) and how many are in" }),
      })
      .optional(),
  })
  .openapi("RunStatus");

export const StartRunSchema = z
  .object({
    workflow_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    version: z.number().int().min(1).optional(),
    inputs: jsonObject("Seeds runtime; validated against the workflow's inputs schema").optional(),
    profile: jsonObject("Who the run is for, e.g. {email}").optional(),
  })
  .strict()
  .openapi("StartRun");

export const ResumeSchema = z
  .object({
    token: z.string().min(1).max(4096),
    data: jsonObject(
      "The form's fields; {decision, comment?} for an approval; {decision: approved|rejected|changes_requested, comment?, output?, content_hash?} for a review; {output} for a fix",
    ).default({}),
  })
  .strict()
  .openapi("Resume");

export const RunListSchema = z
  .object({ items: z.array(RunStatusSchema.omit({ waiting: true })), next_cursor: z.string().nullable() })
  .openapi("RunList");

const AttemptSchema = z.object({
  attempt_id: z.string(),
  attempt: z.number().int(),
  status: z.string(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  meta: z.unknown().optional(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

export const HistorySchema = z
  .object({
    run_id: z.string(),
    steps: z.array(
      z.object({
        seq: z.number().int(),
        step_id: z.string(),
        type: z.string(),
        status: z.string(),
        attempts: z.array(AttemptSchema),
      }),
    ),
  })
  .openapi("RunHistory");

export const ContextSchema = z
  .object({
    static: z.record(z.string(), z.unknown()),
    profile: z.record(z.string(), z.unknown()),
    runtime: z.record(z.string(), z.unknown()),
  })
  .openapi("RunContext");

export const EventsSchema = z
  .object({
    run_id: z.string(),
    items: z.array(
      z.object({
        id: z.number().int(),
        type: z.string(),
        step_id: z.string().nullable(),
        attempt_id: z.string().nullable(),
        data: z.unknown().optional(),
        created_at: z.string(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .openapi("RunEvents");
