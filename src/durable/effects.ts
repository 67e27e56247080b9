import { owedEffects } from "../engine/alarm";
import { laneView, leafLanes } from "../engine/lanes";
import type { Effect, RunState } from "../engine/state";
import { MAX_EFFECT_SENDS, QUEUE_BATCH_MAX_BYTES, QUEUE_BATCH_MAX_MESSAGES, utf8Bytes } from "../lib/limits";
import type { Logger } from "../lib/logger";
import { retryDelaySeconds } from "../queue/backoff";
import type { AiJobMessage, MailMessage } from "../queue/messages";
import { currentTraceparent } from "../telemetry";
import { aiWatchdogAt } from "./ai-watchdog";
import { alarmClock } from "./alarm-clock";
import { CHILD_CHECK_MS } from "./children";

/** How long after a batch the watchdog alarm fires if the effects that follow it never finished. */
export const WATCHDOG_MS = 30_000;

/** The storage key of the effects a committed transition still owes (see docs/guarantees.md). */
export const EFFECTS_KEY = "effects";

/**
 * Queue messages a transition owes, written to the object's storage before its batch and deleted once
 * sent: a crash or a failing send leaves the record, and the alarm sends it again with backoff.
 */
export interface PendingEffects {
  runId: string;
  /** The run version the batch writes: until the run reaches it, the batch did not commit. */
  version: number;
  effects: Effect[];
  /** Sends that failed so far; at MAX_EFFECT_SENDS the step gives up (`queue_send_failed`). */
  failures: number;
  /** When the alarm tries again after a failed send (unset: the commit is still sending). */
  retryAt?: number;
}

/** The current span's `traceparent` for a message, so its consumer continues the trace (none untraced). */
function traceOf(): { trace?: string } {
  const trace = currentTraceparent();
  return trace ? { trace } : {};
}

/** Sends the effects; throws on the first failing send. Consumers drop duplicates: repeating is safe. */
export async function runEffects(
  env: Env,
  runId: string,
  effects: readonly Effect[],
  log: Logger,
): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === "ai_job") {
      const { stepId, attemptId, seq, prompt, fallback } = effect;
      const msg: AiJobMessage = {
        ...{ kind: "ai", runId, stepId, attemptId, seq, prompt },
        ...(fallback ? { fallback } : {}),
        ...traceOf(),
      };
      await env.AI_JOBS.send(msg);
      log.debug("ai job queued", { step_id: stepId, attempt_id: attemptId });
    } else {
      // Only this transition's emails: an older one still in retry backoff keeps its own schedule.
      const bodies = (effect.outboxIds ?? []).map(
        (id): MailMessage => ({ kind: "mail", runId, outboxId: id, ...traceOf() }),
      );
      for (const chunk of batches(bodies)) await env.MAIL.sendBatch(chunk.map((body) => ({ body })));
    }
  }
}

/** Splits message bodies into sendBatch calls within Queues' limits (count and total size). */
export function batches<T>(bodies: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = utf8Bytes(JSON.stringify(body));
    if (
      current.length > 0 &&
      (current.length >= QUEUE_BATCH_MAX_MESSAGES || bytes + size > QUEUE_BATCH_MAX_BYTES)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Sends a record's effects. Never throws for a failing send (what the caller still has to do, a
 * timeout or a reminder, must happen regardless): the record is kept with its retry time, or answered
 * "gave_up" and deleted once MAX_EFFECT_SENDS sends failed.
 */
export async function flushEffects(
  env: Env,
  storage: DurableObjectStorage,
  record: PendingEffects,
  log: Logger,
): Promise<"sent" | "retrying" | "gave_up"> {
  try {
    await runEffects(env, record.runId, record.effects, log);
    await storage.delete(EFFECTS_KEY);
    return "sent";
  } catch (e) {
    const failures = record.failures + 1;
    const reason = e instanceof Error ? e.message : String(e);
    if (failures >= MAX_EFFECT_SENDS) {
      log.error("queue send given up", { failures, reason });
      await storage.delete(EFFECTS_KEY);
      return "gave_up";
    }
    const retryAt = Date.now() + retryDelaySeconds(failures) * 1000;
    log.warn("queue send failed; retrying", { failures, reason, retry_at: retryAt });
    await storage.put(EFFECTS_KEY, { ...record, failures, retryAt } satisfies PendingEffects);
    return "retrying";
  }
}

/** Effects an earlier committed transition still owes `run` (a moot or uncommitted record is dropped). */
export async function owedRecord(
  storage: DurableObjectStorage,
  run: RunState,
): Promise<PendingEffects | undefined> {
  const record = await storage.get<PendingEffects>(EFFECTS_KEY);
  if (!record) return undefined;
  const effects = run.version >= record.version ? owedEffects(run, record.effects) : [];
  if (effects.length === 0) {
    await storage.delete(EFFECTS_KEY);
    return undefined;
  }
  return { ...record, effects };
}

/**
 * Sets the object's alarm to the run's next deadline (timeout, reminder, AI watchdog, effects retry,
 * or `notAfter`: the index write the object still owes), or clears it.
 */
export async function scheduleAlarm(
  storage: DurableObjectStorage,
  run: RunState,
  notAfter = Number.POSITIVE_INFINITY,
): Promise<void> {
  const record = await storage.get<PendingEffects>(EFFECTS_KEY);
  if (record && record.retryAt === undefined) return; // the watchdog alarm stays until the effects are sent
  const owed = Math.min(record?.retryAt ?? Number.POSITIVE_INFINITY, notAfter);
  const at = Math.min(owed, await runDeadline(storage, run));
  const clock = alarmClock(storage);
  if (at === Number.POSITIVE_INFINITY) await clock.clear();
  else await clock.set(at);
}

/** The earliest deadline of the run's lanes (each parallel branch has its own). */
async function runDeadline(storage: DurableObjectStorage, run: RunState): Promise<number> {
  let at = Number.POSITIVE_INFINITY;
  for (const { path } of leafLanes(run)) at = Math.min(at, await laneDeadline(storage, laneView(run, path)));
  return at;
}

async function laneDeadline(storage: DurableObjectStorage, run: RunState): Promise<number> {
  const wait = run.pending;
  if (run.status === "waiting" && wait?.kind === "human") {
    const never = Number.POSITIVE_INFINITY;
    return Math.min(wait.expiresAt, wait.remindAt ?? never, wait.escalateAt ?? never);
  }
  if (run.status === "running" && wait?.kind === "ai") return aiWatchdogAt(storage, wait, Date.now());
  if (run.status === "waiting" && wait?.kind === "child") return Date.now() + CHILD_CHECK_MS;
  return Number.POSITIVE_INFINITY;
}
