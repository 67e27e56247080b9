/** Cron expressions of `triggers` (docs/triggers.md): parsed and stepped with croner, in UTC, minute precision. */
import { Cron } from "croner";

const MINUTE_MS = 60_000;

/** Five fields only (minute precision: the Worker ticks once a minute), UTC, day-of-month OR day-of-week. */
function pattern(expression: string): Cron {
  // No callback and paused: croner never arms a timer, it only computes dates.
  return new Cron(expression, { mode: "5-part", paused: true, timezone: "UTC" });
}

/** Why a cron expression cannot be used, or null when it parses and is due at least once. */
export function cronProblem(expression: string): string | null {
  try {
    if (pattern(expression).nextRun(new Date(0)) === null) return "this cron expression is never due";
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return `invalid cron expression: ${message.replace(/^CronPattern:\s*/, "")}`;
  }
}

/** The start of the minute `ms` falls in. */
export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** The first due minute strictly after `afterMs`, or null when there is none. */
export function nextDue(expression: string, afterMs: number): number | null {
  return pattern(expression).nextRun(new Date(afterMs))?.getTime() ?? null;
}

/** The due minutes from `fromMs` (inclusive) through `throughMs` (inclusive), at most `limit`, oldest first. */
export function dueBetween(expression: string, fromMs: number, throughMs: number, limit: number): number[] {
  const cron = pattern(expression);
  const out: number[] = [];
  // nextRun is strictly after its argument: start one millisecond before `fromMs`.
  let at = cron.nextRun(new Date(fromMs - 1));
  while (at !== null && at.getTime() <= throughMs && out.length < limit) {
    out.push(at.getTime());
    at = cron.nextRun(at);
  }
  return out;
}
