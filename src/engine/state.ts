import type { StepType } from "../definitions/types";

export type RunStatus = "running" | "waiting" | "completed" | "rejected" | "failed" | "cancelled";
export const TERMINAL: ReadonlySet<RunStatus> = new Set(["completed", "rejected", "failed", "cancelled"]);

/** A run's context: static from the definition, profile and runtime from the start request and steps. */
export interface RunContext {
  static: Record<string, unknown>;
  profile: Record<string, unknown>;
  runtime: Record<string, unknown>;
}

export interface RunError {
  code: string;
  message: string;
  step_id?: string;
  details?: unknown[];
}

/** A human step the run is parked on. */
export interface HumanWait {
  kind: "human";
  type: "form" | "approval";
  stepId: string;
  seq: number;
  attemptId: string;
  waitId: string;
  startedAt: number;
  expiresAt: number;
  /** Next reminder time, if the step reminds. */
  remindAt?: number;
  reminders: number;
  recipients: string[];
}

/** An AI job in flight; its result is accepted only for this attempt id. */
export interface AiPending {
  kind: "ai";
  stepId: string;
  seq: number;
  attemptId: string;
  startedAt: number;
  /** The rendered prompt, so a re-sent job asks the same question. */
  prompt: string;
}

/** A child run (a `workflow` step) the run waits for; only that child's end is accepted. */
export interface ChildWait {
  kind: "child";
  stepId: string;
  seq: number;
  attemptId: string;
  startedAt: number;
  childRunId: string;
}

export type Pending = HumanWait | AiPending | ChildWait;

/** Everything the engine needs to know about a run. */
export interface RunState {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: RunStatus;
  currentStep: string | null;
  context: RunContext;
  pending: Pending | null;
  stepsExecuted: number;
  error: RunError | null;
  version: number;
  createdAt: number;
}

export interface StepRowInsert {
  id: string;
  seq: number;
  attempt: number;
  stepId: string;
  type: StepType;
  status: "running" | "waiting" | "completed" | "failed" | "cancelled";
  input?: unknown;
  output?: unknown;
  error?: unknown;
  meta?: unknown;
  startedAt: number;
  finishedAt?: number;
}

export interface StepRowUpdate {
  id: string;
  status: "completed" | "failed" | "cancelled";
  input?: unknown;
  output?: unknown;
  error?: unknown;
  meta?: unknown;
  finishedAt: number;
}

export interface EventRecord {
  type: string;
  stepId?: string;
  attemptId?: string;
  data?: Record<string, unknown>;
}

/** A token the coordinator must mint (sign and store) for a wait. */
export interface TokenToMint {
  jti: string;
  stepId: string;
  waitId: string;
  recipient: string | null;
  expiresAt: number;
}

/** A side effect to perform only after the transition's batch committed. */
export type Effect =
  | { kind: "ai_job"; stepId: string; attemptId: string; seq: number; prompt: string }
  | {
      kind: "mail";
      waitId: string;
      mail: "request" | "reminder";
      recipients: string[];
      /** The outbox rows this transition writes; filled in by the coordinator before the batch. */
      outboxIds?: string[];
    };

/** The whole outcome of one transition: written as ONE D1 batch, then effects run. */
export interface Transition {
  run: RunState;
  insertSteps: StepRowInsert[];
  updateSteps: StepRowUpdate[];
  events: EventRecord[];
  mintTokens: TokenToMint[];
  /** The token used up by this transition (a resume). */
  useToken?: string;
  /** Waits whose unused tokens stop working. */
  revokeWaits: string[];
  effects: Effect[];
}
