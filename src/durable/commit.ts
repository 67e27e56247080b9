import { isDevMode } from "../config/env";
import type { Definition } from "../definitions/types";
import { sensitiveValues } from "../engine/sensitive";
import { type Effect, type RunState, TERMINAL, type Transition } from "../engine/state";
import type { Logger } from "../lib/logger";
import type { RunDb } from "../run-db/client";
import { outboxRows } from "../run-db/mail";
import { type Committed, type RunOrigin, writeTransition } from "../run-db/store";
import { withSpan } from "../telemetry";
import { parseTokenSecrets } from "../tokens";
import { alarmClock } from "./alarm-clock";
import { cancelChildOf, notifyParent } from "./children";
import { EFFECTS_KEY, flushEffects, owedRecord, type PendingEffects, WATCHDOG_MS } from "./effects";
import { copyToDevMailbox, INDEX_WATCHDOG_MS } from "./index-sync";
import { prepareOutbox } from "./outbox";
import { transitionAttributes } from "./transition-span";

/**
 * One transition, in the order docs/architecture.md describes: prepare the emails (signed links), arm the
 * watchdog alarm, write ONE storage transaction (the run's record and the index write it owes), then
 * send queue messages. A crash anywhere leaves either nothing written, or a written transaction whose
 * alarm finishes the job; a send that fails after it is kept for the alarm to retry (see flushEffects).
 */
export function commitTransition(
  env: Env,
  storage: DurableObjectStorage,
  db: RunDb,
  log: Logger,
  p: { def: Definition; t: Transition; now: number; origin?: RunOrigin },
): Promise<Committed | null> {
  // Its span is the parent of the queue messages it sends (their consumers continue the trace).
  const attributes = transitionAttributes(p.def, p.t);
  return withSpan("scaff.transition", { attributes }, () => commit(env, storage, db, log, p));
}

async function commit(
  env: Env,
  storage: DurableObjectStorage,
  db: RunDb,
  log: Logger,
  p: { def: Definition; t: Transition; now: number; origin?: RunOrigin },
): Promise<Committed | null> {
  const { def, t, now, origin } = p;
  const needsKeys = t.mintTokens.length > 0 || t.effects.some((e) => e.kind === "mail");
  const keyring = needsKeys ? parseTokenSecrets(env.RESUME_TOKEN_SECRETS) : undefined;
  const outbox = keyring ? await prepareOutbox(env, db, def, t, keyring, now) : [];
  // An earlier transition's effects still being retried go along, if the run still waits on them
  // (t.run has the version the transaction builds on and the wait it leaves open).
  const earlier = await storage.get<PendingEffects>(EFFECTS_KEY);
  const record = await pendingRecord(storage, t, earlier);
  const clock = alarmClock(storage);
  if (record) {
    await storage.put(EFFECTS_KEY, record);
    await clock.set(now + WATCHDOG_MS);
  } else if (t.run.status === "running") {
    // The run will still be running after this transition: if the object dies before the next step,
    // the alarm carries it on (a run must never be left running with nobody to drive it).
    await clock.set(now + WATCHDOG_MS);
  } else {
    // The transaction owes D1's index a write: if the object dies before it, the alarm writes it.
    const at = await clock.get();
    if (at === null || at > now + INDEX_WATCHDOG_MS) await clock.set(now + INDEX_WATCHDOG_MS);
  }
  let committed: Committed | null;
  try {
    const sensitive = sensitiveValues(def, t.run.context);
    committed = writeTransition(db, t, { now, kid: keyring?.signingKid ?? "-", outbox, origin, sensitive });
  } catch (e) {
    if (earlier) await storage.put(EFFECTS_KEY, earlier);
    else if (record) await storage.delete(EFFECTS_KEY);
    throw e;
  }
  if (outbox.length > 0 && isDevMode(env)) {
    await copyToDevMailbox(
      env.DB,
      outboxRows(
        db,
        outbox.map((m) => m.id),
      ),
      log,
    );
  }
  // The events are the run's record (its history and events endpoints); the log gets one line per
  // transition, at debug: an entry's own info line ("run started", "run resumed", …) says what happened.
  log.debug("transition", { version: t.run.version, events: t.events.map((e) => e.type).join(",") });
  if (record) await flushEffects(env, storage, record, log);
  await cancelChildOf(env, t, log);
  if (TERMINAL.has(t.run.status)) void notifyParent(env, db, t.run.id, log); // never awaited: children.ts
  return committed;
}

/** The record of what this transition owes after it commits: its own effects and earlier ones still owed. */
async function pendingRecord(
  storage: DurableObjectStorage,
  t: Transition,
  earlier: PendingEffects | undefined,
): Promise<PendingEffects | undefined> {
  const carried = earlier ? await owedRecord(storage, t.run) : undefined;
  const effects: Effect[] = [...(carried?.effects ?? []), ...t.effects];
  if (effects.length === 0) return undefined;
  return { runId: t.run.id, version: t.run.version + 1, effects, failures: carried?.failures ?? 0 };
}

/**
 * What the alarm finds of effects a committed transition still owes the run: none; sent (now, or a
 * retry still due later); or given up after MAX_EFFECT_SENDS failures (`abandoned`, the step fails).
 */
export async function repairEffects(
  env: Env,
  storage: DurableObjectStorage,
  state: RunState,
  log: Logger,
): Promise<{ repaired: boolean; abandoned: Effect[] }> {
  const record = await owedRecord(storage, state);
  if (!record) return { repaired: false, abandoned: [] };
  if (record.retryAt !== undefined && Date.now() < record.retryAt) return { repaired: true, abandoned: [] };
  const sent = await flushEffects(env, storage, record, log);
  return { repaired: true, abandoned: sent === "gave_up" ? record.effects : [] };
}
