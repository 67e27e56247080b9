/** Driving AI jobs by hand in tests: the pending job of a run, one delivery to the real queue handler. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { AiPending } from "../../src/engine/state";
import { handleQueue, type QueueMessage } from "../../src/queue";
import type { AiJobMessage } from "../../src/queue/messages";
import { getRun, type RunStatus, storedPending } from "../helpers/runs";

/** Polls the run until `done` holds. */
export async function waitFor(
  runId: string,
  done: (s: RunStatus) => boolean,
  timeoutMs = 15_000,
): Promise<RunStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await getRun(runId);
    if (done(res.body)) return res.body;
    if (Date.now() > until) throw new Error(`timed out; last status ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The AI job the run waits for, as the queue would carry it. */
export async function pendingJob(runId: string): Promise<AiJobMessage> {
  const pending = await storedPending(runId);
  expect(pending?.kind).toBe("ai");
  const p = pending as AiPending;
  return { kind: "ai", runId, stepId: p.stepId, attemptId: p.attemptId, seq: p.seq, prompt: p.prompt };
}

/** Delivers one message to the real queue handler, as the platform would, with the given env. */
export async function deliver(
  body: QueueMessage,
  attempts: number,
  overrides: Partial<Env> = {},
  queue = "ai-jobs",
) {
  const batch = createMessageBatch<QueueMessage>(queue, [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body },
  ]);
  const ctx = createExecutionContext();
  // The pool records that a message was retried but not its delay: observe the call itself.
  const delays: Array<number | undefined> = [];
  const message = batch.messages[0];
  if (message) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (options?: QueueRetryOptions) => {
        delays.push(options?.delaySeconds);
        retry(options);
      },
    });
  }
  await handleQueue(batch, { ...env, ...overrides });
  return { ...(await getQueueResult(batch, ctx)), delays };
}
