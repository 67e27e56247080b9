/** The typed workflow definition: what a saved YAML/JSON definition becomes after validation. */

export type JsonSchema = Record<string, unknown> | boolean;

export type FieldType = "string" | "number" | "integer" | "boolean";
export type FieldFormat = "email" | "uri" | "date" | "date-time";

export interface FormField {
  name: string;
  type: FieldType;
  label?: string;
  help?: string;
  required: boolean;
  default?: string | number | boolean;
  enum?: Array<string | number>;
  pattern?: string;
  format?: FieldFormat;
  min_length?: number;
  max_length?: number;
  minimum?: number;
  maximum?: number;
  /** The answer is personal data: masked in events and logs (docs/telemetry.md), kept in the run's context. */
  sensitive?: boolean;
}

interface StepBase {
  id: string;
  description?: string;
  /** The step to run after this one; absent: the run completes here. */
  next?: string;
  /** Store the result at runtime.<output>; absent: an object result is merged into runtime. */
  output?: string;
  /** Parsed from a duration such as `30s`, `12h`, `7d`. */
  timeout_ms?: number;
}

export interface FormStep extends StepBase {
  type: "form";
  title?: string;
  fields: FormField[];
  /** Mustache template of the recipient's email address. */
  assignee?: string;
  remind_after_ms?: number;
  on_timeout?: "fail" | "default";
}

export interface ApprovalStep extends StepBase {
  type: "approval";
  /** Mustache templates of recipients' email addresses. */
  approvers: string[];
  instructions?: string;
  /**
   * Context paths (`runtime.topic`, `profile.email`, `static.policy`) whose values the page shows
   * beside the instructions; nothing else of the context is shown. Absent: nothing.
   */
  show?: string[];
  remind_after_ms?: number;
  on_timeout?: "reject" | "approve" | "fail";
  on_reject?: string;
  /** The id of the ai_generate step whose output this approval reviews (docs/review.md). */
  review?: string;
  /** The reviewer may edit the reviewed output (default false). */
  editable?: boolean;
  /** The reviewer may send the output back with a comment (default false). */
  allow_changes?: boolean;
  /** Send-backs allowed per run for this step (default DEFAULT_MAX_REVISIONS). */
  max_revisions?: number;
  /** Approvals needed (default 1); any rejection rejects. */
  quorum?: number;
  /** Mustache templates of addresses that may never decide this step (separation of duties). */
  forbid?: string[];
  /** Backup approvers added at `after_ms` from the start of the wait, each level once. */
  escalate?: Escalation[];
}

/** One escalation level of an approval. */
export interface Escalation {
  after_ms: number;
  to: string[];
}

export type MockMode = "success" | "schema_violation" | "timeout" | "transient_error";

/** The AI providers a deployment (AI_PROVIDER) or a step (`provider:`, `fallback:`) may name. */
export const AI_PROVIDER_NAMES = ["mock", "openai", "anthropic"] as const;
export type AiProviderName = (typeof AI_PROVIDER_NAMES)[number];

/** A provider and, optionally, its model (else the provider's default model). */
export interface AiTarget {
  provider: AiProviderName;
  model?: string;
}

export interface AiGenerateStep extends StepBase {
  type: "ai_generate";
  prompt?: string;
  template?: string;
  system?: string;
  /** Overrides AI_PROVIDER for this step. */
  provider?: AiProviderName;
  model?: string;
  /** Tried in order once the provider before stayed unavailable through every queue retry. */
  fallback?: AiTarget[];
  schema: JsonSchema;
  /** Schema retries after the first attempt (default 2). */
  max_retries: number;
  temperature?: number;
  mock?: { mode: MockMode; failures?: number };
  /** After the last re-ask fails validation: fail the step (default) or wait for a person to fix it. */
  on_invalid?: "fail" | "fix";
  /** Mustache templates of who gets the fix link by email (`on_invalid: fix` only). */
  fixers?: string[];
}

export interface ConditionalBranch {
  /** A CEL expression over {static, profile, runtime}. */
  when: string;
  next: string;
}

export interface ConditionalStep extends StepBase {
  type: "conditional";
  branches: ConditionalBranch[];
  default?: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

export interface ApiCallStep extends StepBase {
  type: "api_call";
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Templated: strings inside are rendered, structure is kept. */
  body?: unknown;
  retry: { max: number };
  fail_on_status: boolean;
  /** false: the response body is neither read nor kept (the result is `{status, headers, body: null}`). */
  store: boolean;
}

/** A sub-workflow: starts a child run of `workflow` (pinned to `version`, else its latest) and waits for it. */
export interface WorkflowStep extends StepBase {
  type: "workflow";
  workflow: string;
  version?: number;
  /** Each value a Mustache template over the parent's context; the child's `inputs`. */
  inputs?: Record<string, string>;
}

/** One branch of a `parallel` step: it runs from `start` until a step without `next`. */
export interface ParallelBranch {
  start: string;
}

/** Runs its branches side by side; `next` follows once all of them (or, `join: any`, the first) finished. */
export interface ParallelStep extends StepBase {
  type: "parallel";
  branches: ParallelBranch[];
  join: "all" | "any";
}

export type Step =
  | FormStep
  | ApprovalStep
  | AiGenerateStep
  | ConditionalStep
  | ApiCallStep
  | WorkflowStep
  | ParallelStep;
export type StepType = Step["type"];

/** `- cron: "0 9 * * 1-5"`: a run at every due minute (UTC), started with these inputs. */
export interface CronTrigger {
  cron: string;
  inputs?: Record<string, unknown>;
}

/** `- webhook: {}`: runs started by signed posts to `POST /hooks/{workflow_id}` (docs/triggers.md). */
export interface WebhookTrigger {
  webhook: Record<string, never>;
}

export type Trigger = CronTrigger | WebhookTrigger;

export interface Definition {
  id: string;
  name: string;
  description?: string;
  start_step: string;
  inputs?: JsonSchema;
  context: Record<string, unknown>;
  templates: Record<string, string>;
  steps: Step[];
  /** What starts runs besides the API: schedules and webhooks (absent: none). */
  triggers?: Trigger[];
}

/** One problem in a definition, located by path and, for YAML, by line and column (1-based). */
export interface DefinitionIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export type ParseResult =
  | { ok: true; definition: Definition; raw: unknown }
  | { ok: false; issues: DefinitionIssue[] };

export const MAX_STEPS = 200;
/** Branches one `parallel` step may have. */
export const MAX_PARALLEL_BRANCHES = 10;
/** How deep `parallel` steps may nest (a parallel inside a branch of a parallel: 2). */
export const MAX_PARALLEL_DEPTH = 2;
export const MAX_SOURCE_BYTES = 64 * 1024;
export const MAX_EXECUTED_STEPS = 1000;
export const DEFAULT_AI_MAX_RETRIES = 2;
export const DEFAULT_API_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REVISIONS = 3;
export const DEFAULT_WAIT_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
