/** A request to generate one ai_generate step's output; `attemptId` identifies the step attempt. */
export interface AiJobMessage {
  kind: "ai";
  runId: string;
  stepId: string;
  attemptId: string;
  seq: number;
  prompt: string;
}

/** A request to send one outbox email. */
export interface MailMessage {
  kind: "mail";
  outboxId: string;
}
