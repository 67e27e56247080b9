import { type RunOrigin, writeTransition } from "../db/run-store";
import type { Definition } from "../definitions/types";
import type { RunState, Transition } from "../engine/state";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { parseTokenSecrets } from "../tokens";
import { runEffects, WATCHDOG_MS } from "./effects";
import { prepareOutbox } from "./outbox";

/** Effects written to local storage before a batch, so a crash between batch and effects is repaired. */
export interface PendingEffects {
  runId: string;
  version: number;
  transition: Transition;
}

/**
 * One transition, in the order docs/architecture.md describes: prepare the emails (signed links), arm the
 * watchdog alarm, write ONE batch (compare-and-set on the run's version), then send queue messages.
 * A crash anywhere leaves either nothing written, or a written batch whose alarm finishes the job.
 */
export async function commitTransition(
  env: Env,
  storage: DurableObjectStorage,
  log: Logger,
  p: { def: Definition; t: Transition; now: number; origin?: RunOrigin },
): Promise<void> {
  const { def, t, now, origin } = p;
  const needsKeys = t.mintTokens.length > 0 || t.effects.some((e) => e.kind === "mail");
  const keyring = needsKeys ? parseTokenSecrets(env.RESUME_TOKEN_SECRETS) : undefined;
  const outbox = keyring ? await prepareOutbox(env, env.DB, def, t, keyring, now) : [];
  const hasEffects = t.effects.length > 0;
  if (hasEffects) {
    const record: PendingEffects = { runId: t.run.id, version: t.run.version + 1, transition: t };
    await storage.put("effects", record);
    await storage.setAlarm(now + WATCHDOG_MS);
  } else if (t.run.status === "running") {
    // The run will still be running after this batch: if the object dies before the next step,
    // the alarm carries it on (a run must never be left running with nobody to drive it).
    await storage.setAlarm(now + WATCHDOG_MS);
  }
  const written = await writeTransition(env.DB, t, { now, kid: keyring?.signingKid ?? "-", outbox, origin });
  if (!written) {
    if (hasEffects) await storage.delete("effects");
    throw new AppError("conflict", "The run changed concurrently; retry");
  }
  for (const e of t.events) log.info(e.type, { event: e.type, step_id: e.stepId, attempt_id: e.attemptId });
  if (hasEffects) {
    await runEffects(env, t, log);
    await storage.delete("effects");
  }
}

/** Redoes the effects of a transition the object died in (see PendingEffects); true when there was one. */
export async function repairEffects(
  env: Env,
  storage: DurableObjectStorage,
  state: RunState,
  log: Logger,
): Promise<boolean> {
  const pending = await storage.get<PendingEffects>("effects");
  if (!pending) return false;
  // The batch committed if the run reached the version it was to write; then redo its effects.
  if (state.version >= pending.version) await runEffects(env, pending.transition, log);
  await storage.delete("effects");
  return true;
}
