import { acceptsAiResult } from "../engine/ai-result";
import type { AiPending, RunState } from "../engine/state";
import { backoffDelayMs } from "../lib/backoff";
import type { Logger } from "../lib/logger";
import { runEffects } from "./effects";

/**
 * An AI job can be lost (a local queue dies with its process; a dead-letter consumer keeps failing).
 * While a step waits for its job, the object's alarm re-sends it with the same attempt id (the consumer
 * drops duplicates), backing off, and finally fails the step instead of leaving the run running forever.
 */
export const AI_WATCHDOG_BASE_MS = 30_000;
export const AI_WATCHDOG_MAX_MS = 15 * 60_000;
export const MAX_AI_RESENDS = 6;

export interface AiResendRecord {
  attemptId: string;
  count: number;
}

/** Each attempt's record has its own key (parallel branches can wait for several jobs at once). */
const KEY = "aiResend";
/** Which of the step's targets the job of an attempt went to last (absent: the primary). */
const FALLBACK_KEY = "aiFallback";
const keyOf = (base: string, attemptId: string) => `${base}:${attemptId}`;

/** The attempt's record, under its own key or (written before parallel steps) the run's single key. */
async function recordOf<T extends { attemptId: string }>(
  storage: DurableObjectStorage,
  base: string,
  attemptId: string,
): Promise<T | undefined> {
  const own = await storage.get<T>(keyOf(base, attemptId));
  if (own) return own;
  const legacy = await storage.get<T>(base);
  return legacy?.attemptId === attemptId ? legacy : undefined;
}

const watchdogDelay = (resends: number) =>
  backoffDelayMs({ baseMs: AI_WATCHDOG_BASE_MS, maxMs: AI_WATCHDOG_MAX_MS }, resends + 1);

interface AiFallbackRecord {
  attemptId: string;
  tier: number;
}

/**
 * Remembers that the attempt's job moved to fallback `tier`, so a re-send goes there too (the dead-letter
 * consumer asks before it sends the job on); false when the run no longer waits for that attempt.
 */
export async function moveToFallback(
  storage: DurableObjectStorage,
  run: RunState,
  attemptId: string,
  tier: number,
): Promise<boolean> {
  if (!acceptsAiResult(run, attemptId)) return false;
  await storage.put(keyOf(FALLBACK_KEY, attemptId), { attemptId, tier } satisfies AiFallbackRecord);
  return true;
}

/** The fallback tier the attempt's job is on (0: the primary). */
export async function fallbackTier(storage: DurableObjectStorage, attemptId: string): Promise<number> {
  return (await recordOf<AiFallbackRecord>(storage, FALLBACK_KEY, attemptId))?.tier ?? 0;
}

/** When the alarm should next look at an AI step still waiting for its job. */
export async function aiWatchdogAt(
  storage: DurableObjectStorage,
  pending: AiPending,
  now: number,
): Promise<number> {
  const record = await recordOf<AiResendRecord>(storage, KEY, pending.attemptId);
  return now + watchdogDelay(record?.count ?? 0);
}

/** Re-sends the pending job, or answers "give up" once it was re-sent MAX_AI_RESENDS times. */
export async function resendAiJob(
  env: Env,
  storage: DurableObjectStorage,
  run: RunState,
  log: Logger,
): Promise<"resent" | "give_up"> {
  const pending = run.pending;
  if (pending?.kind !== "ai") return "resent";
  const record = await recordOf<AiResendRecord>(storage, KEY, pending.attemptId);
  const count = (record?.count ?? 0) + 1;
  if (count > MAX_AI_RESENDS) return "give_up";
  await storage.put(keyOf(KEY, pending.attemptId), {
    attemptId: pending.attemptId,
    count,
  } satisfies AiResendRecord);
  const { stepId, attemptId, seq, prompt } = pending;
  // A job the dead-letter consumer moved to a fallback stays there: the primary already gave up.
  const fallback = await fallbackTier(storage, attemptId);
  const ids = { step_id: stepId, attempt_id: attemptId, resend: count, fallback };
  try {
    const job = {
      kind: "ai_job" as const,
      stepId,
      attemptId,
      seq,
      prompt,
      ...(fallback ? { fallback } : {}),
    };
    await runEffects(env, run.id, [job], log);
    log.warn("ai job re-sent", ids);
  } catch (e) {
    // Counted all the same: a job that cannot even be sent ends in ai_lost like one never answered.
    log.error("ai job re-send failed", { ...ids, reason: e instanceof Error ? e.message : String(e) });
  }
  return "resent";
}
