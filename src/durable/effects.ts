import type { RunState, Transition } from "../engine/state";
import type { Logger } from "../lib/logger";
import type { AiJobMessage, MailMessage } from "../queue/messages";
import { aiWatchdogAt } from "./ai-watchdog";

/** How long after a batch the watchdog alarm fires if the effects that follow it never finished. */
export const WATCHDOG_MS = 30_000;

/** Sends what a committed transition asks for. Consumers drop duplicates, so repeating this is safe. */
export async function runEffects(env: Env, t: Transition, log: Logger): Promise<void> {
  for (const effect of t.effects) {
    if (effect.kind === "ai_job") {
      const msg: AiJobMessage = {
        kind: "ai",
        runId: t.run.id,
        stepId: effect.stepId,
        attemptId: effect.attemptId,
        seq: effect.seq,
        prompt: effect.prompt,
      };
      await env.AI_JOBS.send(msg);
      log.debug("ai job queued", { step_id: effect.stepId, attempt_id: effect.attemptId });
    } else {
      // Only this transition's emails: an older one still in retry backoff keeps its own schedule.
      const messages = (effect.outboxIds ?? []).map((id) => ({
        body: { kind: "mail", outboxId: id } satisfies MailMessage,
      }));
      if (messages.length > 0) await env.MAIL.sendBatch(messages);
    }
  }
}

/** Sets the object's alarm to the run's next deadline (timeout or reminder), or clears it. */
export async function scheduleAlarm(storage: DurableObjectStorage, run: RunState): Promise<void> {
  if (await storage.get("effects")) return; // the watchdog alarm stays until the effects are done
  const wait = run.pending;
  if (run.status === "waiting" && wait?.kind === "human") {
    const at = Math.min(wait.expiresAt, wait.remindAt ?? Number.POSITIVE_INFINITY);
    await storage.setAlarm(at);
    return;
  }
  if (run.status === "running" && wait?.kind === "ai") {
    await storage.setAlarm(await aiWatchdogAt(storage, wait, Date.now()));
    return;
  }
  await storage.deleteAlarm();
}
