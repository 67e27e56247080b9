import { SpanKind } from "@opentelemetry/api";
import { createLogger, type Logger } from "../lib/logger";
import { traced } from "../telemetry";
import { abandonAiJob, runAiJob } from "./ai-consumer";
import { retryDelaySeconds } from "./backoff";
import { abandonMail, deliverMail } from "./mail-consumer";
import type { AiJobMessage, MailMessage } from "./messages";

export type QueueMessage = AiJobMessage | MailMessage;

/** One handler for all of Scaff's queues; messages are routed by their `kind` and the queue's name. */
export async function handleQueue(
  batch: MessageBatch<QueueMessage>,
  env: Env,
  ctx?: ExecutionContext,
): Promise<void> {
  const log = createLogger(env.LOG_LEVEL, { queue: batch.queue });
  // Span exports go to the platform's waitUntil; without one (tests) the batch waits for them.
  const exports: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => (ctx ? ctx.waitUntil(p) : exports.push(p));
  for (const message of batch.messages) {
    await traced(
      env,
      message.body?.trace,
      `${batch.queue} process`,
      consumerSpan(batch, message),
      () => handleMessage(batch, env, message, log),
      waitUntil,
    );
  }
  await Promise.all(exports);
}

function consumerSpan(batch: MessageBatch<QueueMessage>, message: Message<QueueMessage>) {
  const attributes = {
    "messaging.system": "cloudflare_queues",
    "messaging.operation.type": "process",
    "messaging.destination.name": batch.queue,
    "messaging.message.id": message.id,
    "scaff.run_id": message.body?.runId,
  };
  return { kind: SpanKind.CONSUMER, attributes };
}

async function handleMessage(
  batch: MessageBatch<QueueMessage>,
  env: Env,
  message: Message<QueueMessage>,
  log: Logger,
): Promise<void> {
  const deadLetter = batch.queue.endsWith("dlq");
  const body = message.body;
  try {
    if (deadLetter) {
      if (body.kind === "ai") await abandonAiJob(env, body, log);
      else if (body.kind === "mail") await abandonMail(env, body);
      message.ack();
      return;
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
