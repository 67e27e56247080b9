import { createLogger } from "../lib/logger";
import { abandonAiJob, runAiJob } from "./ai-consumer";
import { retryDelaySeconds } from "./backoff";
import { abandonMail, deliverMail } from "./mail-consumer";
import type { AiJobMessage, MailMessage } from "./messages";

export type QueueMessage = AiJobMessage | MailMessage;

/** One handler for all of Scaff's queues; messages are routed by their `kind` and the queue's name. */
export async function handleQueue(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const log = createLogger(env.LOG_LEVEL, { queue: batch.queue });
  const deadLetter = batch.queue.endsWith("dlq");
  for (const message of batch.messages) {
    const body = message.body;
    try {
      if (deadLetter) {
        if (body.kind === "ai") await abandonAiJob(env, body, log);
        else if (body.kind === "mail") await abandonMail(env, body);
        message.ack();
        continue;
      }
      const outcome =
        body.kind === "ai"
          ? await runAiJob(env, body, message.attempts, log)
          : body.kind === "mail"
            ? await deliverMail(env, body, message.attempts, log)
            : {};
      if (outcome.retryAfterSeconds !== undefined) message.retry({ delaySeconds: outcome.retryAfterSeconds });
      else message.ack();
    } catch (e) {
      log.error("queue message failed", {
        kind: body?.kind,
        error: e instanceof Error ? e.message : String(e),
      });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
