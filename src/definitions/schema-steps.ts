/**
 * zod 4 schemas of the steps (docs/workflows.md): strict shapes, defaults, durations converted to ms.
 * Cross-step rules (targets, reachability, CEL, templates) live in the semantic checks instead.
 */
import { z } from "zod";
import { MAX_RECIPIENTS } from "../lib/limits";
import { MAX_SHOW_PATHS } from "./context-path";
import { durationProblem, parseDuration } from "./duration";
import { HEADER_NAME_PATTERN, ID_PATTERN, ID_RULE, isRuntimeName, NAME_RULE } from "./identifiers";
import {
  AI_PROVIDER_NAMES,
  type AiGenerateStep,
  type ApiCallStep,
  type ApprovalStep,
  type ConditionalStep,
  DEFAULT_AI_MAX_RETRIES,
  type FormStep,
  type JsonSchema,
  type ParallelStep,
  type WorkflowStep,
} from "./types";

export const stepId = z.string().regex(ID_PATTERN, ID_RULE);
const runtimeName = z.string().refine(isRuntimeName, NAME_RULE);
const text = z.string();
const template = z.string();

const duration = z.string().transform((value, ctx) => {
  const problem = durationProblem(value);
  if (problem !== null) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return parseDuration(value) as number;
});

/** A JSON Schema value: an object or a boolean; its content is checked by lib/json-schema. */
export const jsonSchema = z.union([z.record(z.string(), z.unknown()), z.boolean()], {
  error: "must be a JSON Schema (an object or a boolean)",
}) as z.ZodType<JsonSchema>;

const base = {
  id: stepId,
  description: text.optional(),
  next: stepId.optional(),
  output: runtimeName.optional(),
  timeout: duration.optional(),
};

/** Renames the raw duration keys to their `_ms` names, leaving absent keys absent. */
function withDurations<T extends { timeout?: number; remind_after?: number }>(
  step: T,
): Omit<T, "timeout" | "remind_after"> & { timeout_ms?: number; remind_after_ms?: number } {
  const { timeout, remind_after, ...rest } = step;
  return {
    ...rest,
    ...(timeout === undefined ? {} : { timeout_ms: timeout }),
    ...(remind_after === undefined ? {} : { remind_after_ms: remind_after }),
  };
}

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: "must be a string, number or boolean",
});

export const formFieldSchema = z.strictObject({
  name: runtimeName,
  type: z.enum(["string", "number", "integer", "boolean"]),
  label: text.optional(),
  help: text.optional(),
  required: z.boolean().default(false),
  default: scalar.optional(),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  pattern: z.string().optional(),
  format: z.enum(["email", "uri", "date", "date-time"]).optional(),
  min_length: z.int().min(0).optional(),
  max_length: z.int().min(0).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  sensitive: z.boolean().optional(),
});

const formStep = z
  .strictObject({
    ...base,
    type: z.literal("form"),
    title: text.optional(),
    fields: z.array(formFieldSchema),
    assignee: template.optional(),
    remind_after: duration.optional(),
    on_timeout: z.enum(["fail", "default"]).optional(),
  })
  .transform((s): FormStep => withDurations(s));

/** The most send-backs `max_revisions` may allow: each one is another AI call and another review. */
export const MAX_REVISIONS_LIMIT = 20;

const approvalStep = z
  .strictObject({
    ...base,
    type: z.literal("approval"),
    approvers: z.array(template).min(1),
    instructions: template.optional(),
    // Each path's grammar is checked by rules-approval.ts, with a message naming the path.
    show: z.array(z.string()).max(MAX_SHOW_PATHS, `at most ${MAX_SHOW_PATHS} paths`).optional(),
    remind_after: duration.optional(),
    on_timeout: z.enum(["reject", "approve", "fail"]).optional(),
    on_reject: stepId.optional(),
    // Which step `review` may name, and that the next three need it, is checked by rules-review.ts.
    review: stepId.optional(),
    editable: z.boolean().optional(),
    allow_changes: z.boolean().optional(),
    max_revisions: z.int().min(0).max(MAX_REVISIONS_LIMIT).optional(),
    // Approval policies (docs/approvals.md); their cross-key rules live in rules-approval-policy.ts.
    quorum: z.int().min(1).max(MAX_RECIPIENTS).optional(),
    forbid: z.array(template).optional(),
    escalate: z
      .array(z.strictObject({ after: duration, to: z.array(template).min(1) }))
      .min(1)
      .optional(),
  })
  .transform((s): ApprovalStep => {
    const { escalate, ...rest } = withDurations(s);
    const levels = escalate?.map((e) => ({ after_ms: e.after, to: e.to }));
    return { ...rest, ...(levels ? { escalate: levels } : {}) };
  });

const aiModel = z.string().min(1).max(200);
const aiProvider = z.enum(AI_PROVIDER_NAMES);
const aiTarget = z.strictObject({ provider: aiProvider, model: aiModel.optional() });
/** At most this many fallbacks: each gets the queue's whole retry budget. */
export const MAX_AI_FALLBACKS = 3;

const aiGenerateStep = z
  .strictObject({
    ...base,
    type: z.literal("ai_generate"),
    prompt: template.optional(),
    template: stepId.optional(),
    system: template.optional(),
    provider: aiProvider.optional(),
    model: aiModel.optional(),
    // One target or a list; always a list once parsed.
    fallback: z
      .union([aiTarget.transform((t) => [t]), z.array(aiTarget).min(1).max(MAX_AI_FALLBACKS)])
      .optional(),
    schema: jsonSchema,
    max_retries: z.int().min(0).max(10).default(DEFAULT_AI_MAX_RETRIES),
    temperature: z.number().min(0).max(2).optional(),
    mock: z
      .strictObject({
        mode: z.enum(["success", "schema_violation", "timeout", "transient_error"]),
        failures: z.int().min(0).max(100).optional(),
      })
      .optional(),
    on_invalid: z.enum(["fail", "fix"]).optional(),
    fixers: z.array(template).min(1).optional(),
  })
  .transform((s): AiGenerateStep => withDurations(s));

const conditionalStep = z
  .strictObject({
    ...base,
    type: z.literal("conditional"),
    branches: z.array(z.strictObject({ when: z.string().min(1), next: stepId })).min(1),
    default: stepId.optional(),
  })
  .transform((s): ConditionalStep => withDurations(s));

const method = z.preprocess(
  (v) => (typeof v === "string" ? v.toUpperCase() : v),
  z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
);

const apiCallStep = z
  .strictObject({
    ...base,
    type: z.literal("api_call"),
    method,
    url: z.string().min(1),
    headers: z
      .record(z.string().regex(HEADER_NAME_PATTERN, "must be a valid HTTP header name"), z.string())
      .optional(),
    query: z.record(z.string().min(1), z.string()).optional(),
    body: z.unknown().optional(),
    retry: z.strictObject({ max: z.int().min(0).max(10) }).default({ max: 0 }),
    fail_on_status: z.boolean().default(true),
    store: z.boolean().default(true),
  })
  .transform((s): ApiCallStep => withDurations(s));

const workflowStep = z
  .strictObject({
    ...base,
    type: z.literal("workflow"),
    workflow: z.string().regex(ID_PATTERN, `workflow ids ${ID_RULE}`),
    version: z.int().min(1).optional(),
    // Keys are the child's input names, whatever its inputs schema calls them.
    inputs: z.record(z.string().min(1).max(200), template).optional(),
  })
  .transform((s): WorkflowStep => withDurations(s));

const parallelStep = z
  .strictObject({
    ...base,
    type: z.literal("parallel"),
    // The branch count limit, reachability and nesting are checked by rules-parallel.ts, with paths.
    branches: z.array(z.strictObject({ start: stepId })).min(2, "a parallel step needs at least 2 branches"),
    join: z.enum(["all", "any"]).default("all"),
  })
  .transform((s): ParallelStep => withDurations(s));

export const STEP_TYPES = [
  "form",
  "approval",
  "ai_generate",
  "conditional",
  "api_call",
  "workflow",
  "parallel",
] as const;

export const stepSchema = z.discriminatedUnion("type", [
  formStep,
  approvalStep,
  aiGenerateStep,
  conditionalStep,
  apiCallStep,
  workflowStep,
  parallelStep,
]);
