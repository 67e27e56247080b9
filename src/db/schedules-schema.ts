import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per cron trigger of a live workflow's latest version (migration 0003): what the minute's
 * tick reads. Written in the same batch as the version that declares it; a delete removes it.
 */
export const schedules = sqliteTable(
  "schedules",
  {
    workflowId: text("workflow_id").notNull(),
    /** The trigger's position in the version's `triggers` list. */
    triggerIndex: integer("trigger_index").notNull(),
    cron: text("cron").notNull(),
    /** JSON object: the inputs every run of this schedule starts with. */
    inputs: text("inputs").notNull(),
    /** The version that declared the schedule: its runs are pinned to it. */
    workflowVersion: integer("workflow_version").notNull(),
    /** The next minute (ms) a run is due; null when the expression is never due again. */
    nextDueAt: integer("next_due_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workflowId, t.triggerIndex] }),
    index("schedules_next_due_idx").on(t.nextDueAt),
  ],
);

export type ScheduleRow = typeof schedules.$inferSelect;
