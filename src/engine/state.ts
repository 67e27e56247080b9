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

/** What a review approval's wait shows: the reviewed AI output as the reviewer sees it, and its place in the loop. */
export interface ReviewShown {
  /** The ai_generate step whose output is reviewed. */
  aiStep: string;
  output: unknown;
  /** `sha256:<hex>` of the output's RFC 8785 canonical JSON. */
  contentHash: string;
  /** 1 for the AI's first output, + 1 for each send-back before this wait. */
  revision: number;
  /** Send-backs still allowed (0: `changes_requested` is refused with 409). */
  changesLeft: number;
}

/** What a fix wait shows: the AI's last (invalid) output and why it failed validation. */
export interface FixShown {
  output: unknown;
  errors: Array<{ path: string; keyword: string; message: string }>;
}

/** A human step the run is parked on (`fix`: a person fixes an ai_generate step's invalid output). */
export interface HumanWait {
  kind: "human";
  type: "form" | "approval" | "fix";
  stepId: string;
  seq: number;
  attemptId: string;
  waitId: string;
  startedAt: number;
  expiresAt: number;
  /** Next reminder time, if the step reminds. */
  remindAt?: number;
  reminders: number;
  /** Who holds a link now (escalation and reassign change it). */
  recipients: string[];
  review?: ReviewShown;
  fix?: FixShown;
  /** Approvals the wait needs (approval steps; absent: 1). */
  required?: number;
  /** Decisions recorded so far, in order (a quorum collects several before the wait ends). */
  decisions?: Decision[];
  /** Addresses that may never decide this wait (the step's rendered `forbid`). */
  forbidden?: string[];
  /** Escalation levels fired so far, and when the next one is due. */
  escalations?: number;
  escalateAt?: number;
  /** Recipients whose link was moved to someone else. */
  reassigned?: string[];
}

/** One person's answer to a wait: an approval decision, or a submitted form. */
export interface Decision {
  approver: string;
  decision: "approved" | "rejected" | "submitted";
  comment: string | null;
  decided_at: string;
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

/** Where one branch of a parallel step stands: like a run of its own, over the run's shared context. */
export interface Branch {
  /** The branch's first step (it names the branch). */
  start: string;
  status: RunStatus;
  currentStep: string | null;
  pending: Pending | null;
}

/** A parallel step whose branches run; it ends when its join is met (engine/lanes.ts). */
export interface ParallelWait {
  kind: "parallel";
  stepId: string;
  seq: number;
  attemptId: string;
  startedAt: number;
  join: "all" | "any";
  branches: Branch[];
}

export type Pending = HumanWait | AiPending | ChildWait | ParallelWait;

/** A send-back the reviewed AI step answers next: its previous output and the reviewer's comment. */
export interface RevisionRequest {
  aiStep: string;
  approval: string;
  previous: unknown;
  comment: string;
}

/** A run's review loops: send-backs so far per approval step, and the one the AI step answers next. */
export interface ReviewLoops {
  revisions: Record<string, number>;
  request?: RevisionRequest;
}

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
  /** Absent until an approval with `review` was decided. */
  reviews?: ReviewLoops;
  /**
   * Set only on a view of one branch (engine/lanes.ts): the branch indexes from the run down to it.
   * A view's status, current step and pending are the branch's; never stored.
   */
  lane?: number[];
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
  | {
      kind: "ai_job";
      stepId: string;
      attemptId: string;
      seq: number;
      prompt: string;
      /** The step's fallback target the job goes to (absent: the primary); only re-sends set it. */
      fallback?: number;
    }
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
  /** Single recipients whose unused tokens of a wait stop working (resend, reassign); before minting. */
  revokeRecipients?: { waitId: string; recipient: string }[];
  /** The waits this transition ended, as they ended (the waits index records their final state). */
  closedWaits: HumanWait[];
  /** Child runs to cancel once the transition committed (a cancelled run or branch waited for them). */
  cancelChildren: string[];
  effects: Effect[];
}
