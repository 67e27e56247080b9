import type { ReviewShown, RevisionRequest } from "./state";

/** What an executor reports; the engine decides what follows, the coordinator persists it. */
export type StepOutcome =
  | { kind: "completed"; output: unknown; input?: unknown; meta?: unknown; next?: string | null }
  | {
      kind: "failed";
      error: { code: string; message: string; details?: unknown[] };
      input?: unknown;
      meta?: unknown;
    }
  | {
      kind: "waiting";
      type: "form" | "approval";
      input?: unknown;
      expiresAt: number;
      remindAt?: number;
      recipients: string[];
      /** An approval with `review`: the output it shows. */
      review?: ReviewShown;
      /** An approval's policy, rendered for this run (src/executors/approval-policy.ts). */
      policy?: WaitPolicy;
    }
  | { kind: "dispatched"; prompt: string; input?: unknown }
  /** A child run started and has not ended yet: the run waits for it (engine/child-run.ts). */
  | { kind: "child"; childRunId: string; input?: unknown }
  /** A parallel step: its branches start (engine/lanes.ts). */
  | { kind: "parallel"; input?: unknown };

/** The result of the human side of a wait, after validation. */
export type WaitResolution =
  | { kind: "submitted"; output: unknown }
  | {
      kind: "approved";
      output: unknown;
      /** A reviewer's edit: the AI step's output at runtime.<at> becomes `value`. */
      edit?: { at: string; value: unknown };
    }
  | { kind: "changes_requested"; output: unknown; request: RevisionRequest }
  | { kind: "fixed"; output: unknown; fixer: string }
  | { kind: "rejected"; output: unknown }
  | { kind: "timed_out_fail" }
  | { kind: "timed_out_output"; output: unknown; decision?: "approved" | "rejected" };

/** What a waiting approval's policy fixes for its wait when it starts. */
export interface WaitPolicy {
  required: number;
  forbidden: string[];
  /** Rendered approvers left out because `forbid` names them. */
  dropped: string[];
  escalateAt?: number;
}
