// The schedules the minute's tick reads (docs/triggers.md): kept in step with each workflow's latest
// version by the batch that saves or deletes it, and advanced by the tick after it started a minute's runs.
import { and, asc, eq, isNotNull, lte, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Trigger } from "../definitions/types";
import { nextDue } from "../triggers/cron";
import { type Db, getDb } from "./client";
import { type ScheduleRow, schedules } from "./schedules-schema";

export type { ScheduleRow };

/**
 * The statements that make a workflow's schedules those of `triggers` (the version being saved): one
 * upsert per cron trigger, and a delete of the rest. A schedule whose expression did not change keeps
 * its next due minute, so a new version neither repeats nor skips a run.
 */
export function scheduleWrites(
  db: Db,
  workflowId: string,
  version: number,
  triggers: readonly Trigger[] | undefined,
  now: number,
): BatchItem<"sqlite">[] {
  const crons = (triggers ?? []).flatMap((t, index) => ("cron" in t ? [{ ...t, index }] : []));
  const kept = crons.map((c) => c.index);
  const writes: BatchItem<"sqlite">[] = [
    db
      .delete(schedules)
      .where(
        and(
          eq(schedules.workflowId, workflowId),
          kept.length > 0 ? notInArray(schedules.triggerIndex, kept) : undefined,
        ),
      ),
  ];
  for (const c of crons) {
    const row = {
      workflowId,
      triggerIndex: c.index,
      cron: c.cron,
      inputs: JSON.stringify(c.inputs ?? {}),
      workflowVersion: version,
      nextDueAt: nextDue(c.cron, now),
      updatedAt: now,
    };
    writes.push(
      db
        .insert(schedules)
        .values(row)
        .onConflictDoUpdate({
          target: [schedules.workflowId, schedules.triggerIndex],
          set: {
            nextDueAt: sql`CASE WHEN ${schedules.cron} = excluded.cron THEN ${schedules.nextDueAt} ELSE excluded.next_due_at END`,
            cron: sql`excluded.cron`,
            inputs: sql`excluded.inputs`,
            workflowVersion: sql`excluded.workflow_version`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    );
  }
  return writes;
}

/** The statement that removes a workflow's schedules (its delete). */
export const scheduleDeletes = (db: Db, workflowId: string): BatchItem<"sqlite"> =>
  db.delete(schedules).where(eq(schedules.workflowId, workflowId));

/** Schedules with a run due at or before `now`, most overdue first. */
export async function dueSchedules(d1: D1Database, now: number, limit: number): Promise<ScheduleRow[]> {
  return getDb(d1)
    .select()
    .from(schedules)
    .where(and(isNotNull(schedules.nextDueAt), lte(schedules.nextDueAt, now)))
    .orderBy(asc(schedules.nextDueAt))
    .limit(limit)
    .all();
}

/**
 * Moves a schedule on to its next due minute, only if nothing else moved it since it was read (a
 * retried or overlapping tick): true when this call moved it.
 */
export async function advanceSchedule(
  d1: D1Database,
  row: Pick<ScheduleRow, "workflowId" | "triggerIndex" | "nextDueAt" | "cron">,
  nextDueAt: number | null,
): Promise<boolean> {
  const result = await getDb(d1)
    .update(schedules)
    .set({ nextDueAt })
    .where(
      and(
        eq(schedules.workflowId, row.workflowId),
        eq(schedules.triggerIndex, row.triggerIndex),
        eq(schedules.cron, row.cron),
        row.nextDueAt === null ? undefined : eq(schedules.nextDueAt, row.nextDueAt),
      ),
    )
    .run();
  return result.meta.changes > 0;
}
