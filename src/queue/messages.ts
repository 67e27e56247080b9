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
}

/** A request to send one outbox email. */
export interface MailMessage {
  kind: "mail";
  outboxId: string;
}
