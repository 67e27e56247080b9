/**
 * The minute's tick (the Worker's scheduled handler, wrangler.toml `* * * * *`): starts the runs of every
 * schedule that is due. Each run is a keyed start whose key is the schedule and its due minute, so a
 * retried, overlapping or late tick starts the same run again, never a second one (docs/triggers.md).
 */
import { advanceSchedule, dueSchedules, type ScheduleRow } from "../db/schedules";
import { isAppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { startRun } from "../runs/start";
import { dueBetween, minuteOf, nextDue } from "./cron";

/** Schedules read per tick; more wait for the next minute (the most overdue go first). */
const SCHEDULES_PER_TICK = 100;
/** A late tick starts the missed minutes of at most the last hour; older ones are skipped (and logged). */
export const MAX_CATCH_UP_MS = 60 * 60_000;
/** Runs one schedule starts in one tick at most; the rest follow on the next. */
const RUNS_PER_SCHEDULE = 60;

/** The principal a schedule's runs are created by; `:` never appears in an API key's name. */
export const schedulePrincipal = (row: Pick<ScheduleRow, "workflowId" | "triggerIndex">): string =>
  `schedule:${row.workflowId}#${row.triggerIndex}`;

export interface TickReport {
  started: string[];
  failed: number;
}

/** Starts the runs due at or before the minute of `scheduledTime`. */
export async function runTick(env: Env, scheduledTime: number, log: Logger): Promise<TickReport> {
  const through = minuteOf(scheduledTime);
  const rows = await dueSchedules(env.DB, through, SCHEDULES_PER_TICK);
  const reports = await Promise.all(rows.map((row) => runSchedule(env, row, through, log)));
  return {
    started: reports.flatMap((r) => r.started),
    failed: reports.reduce((n, r) => n + r.failed, 0),
  };
}

async function runSchedule(env: Env, row: ScheduleRow, through: number, log: Logger): Promise<TickReport> {
  const from = Math.max(row.nextDueAt ?? through, through - MAX_CATCH_UP_MS);
  if (row.nextDueAt !== null && row.nextDueAt < from) {
    log.warn("schedule missed minutes older than the catch-up window", {
      workflow_id: row.workflowId,
      trigger: row.triggerIndex,
      since: new Date(row.nextDueAt).toISOString(),
    });
  }
  const minutes = dueBetween(row.cron, from, through, RUNS_PER_SCHEDULE);
  const report: TickReport = { started: [], failed: 0 };
  for (const minute of minutes) {
    const outcome = await startDue(env, row, minute, log);
    if (outcome === "retry") {
      // Leave the schedule where it is: the next tick starts this minute again, with the same key.
      report.failed += 1;
      return report;
    }
    if (outcome !== "skipped") report.started.push(outcome);
  }
  const last = minutes[minutes.length - 1];
  await advanceSchedule(env.DB, row, nextDue(row.cron, last ?? through));
  return report;
}

/** Starts one due minute's run: its id, "skipped" when it can never start, "retry" when it may later. */
async function startDue(env: Env, row: ScheduleRow, minute: number, log: Logger): Promise<string> {
  const key = new Date(minute).toISOString();
  const fields = { workflow_id: row.workflowId, trigger: row.triggerIndex, due: key };
  try {
    const inputs = JSON.parse(row.inputs) as Record<string, unknown>;
    const { run, created } = await startRun(
      env,
      schedulePrincipal(row),
      { workflow_id: row.workflowId, version: row.workflowVersion, inputs },
      key,
    );
    if (created) log.info("schedule started a run", { ...fields, run_id: run.record.id });
    return run.record.id;
  } catch (e) {
    // A domain error (the version is gone, the inputs no longer fit) will not change by retrying.
    if (isAppError(e)) {
      log.error("schedule could not start its run", { ...fields, code: e.code, error: e.message });
      return "skipped";
    }
    log.error("schedule start failed; the next tick retries it", { ...fields, error: String(e) });
    return "retry";
  }
}
