/** A request to generate one ai_generate step's output; `attemptId` identifies the step attempt. */
export interface AiJobMessage {
  kind: "ai";
  runId: string;
  stepId: string;
  attemptId: string;
  seq: number;
  prompt: string;
  /** Which of the step's providers answers: 0 (or absent) the primary, n its n-th fallback. */
  fallback?: number;
  /** The `traceparent` of the transition that queued it, when tracing. */
  trace?: string;
}

/** A request to send one outbox email of a run's outbox (in the run's object). */
export interface MailMessage {
  kind: "mail";
  /** Absent in messages queued before the outbox moved into the run's object (found through D1). */
  runId?: string;
  outboxId: string;
  /** The `traceparent` of the transition that queued it, when tracing. */
  trace?: string;
}
