// The run's parent, when a `workflow` step of another run started it: a table of its own (the `runs`
// table of existing objects is never altered), created with the others at construction.
import { eq } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { RunDb } from "./client";
import { insertRows, one, selectList } from "./sql";

export const runParent = sqliteTable("run_parent", {
  runId: text("run_id").primaryKey(),
  parentRunId: text("parent_run_id").notNull(),
  /** 1 for a child of a top-level run, 2 for a grandchild, … */
  depth: integer("depth").notNull(),
  /** When the parent accepted this run's end; null until then. */
  notifiedAt: integer("notified_at"),
});

export const RUN_PARENT_DDL = `
CREATE TABLE IF NOT EXISTS run_parent (
  run_id text PRIMARY KEY NOT NULL, parent_run_id text NOT NULL, depth integer NOT NULL, notified_at integer
) WITHOUT ROWID;
`;

export interface ParentLink {
  parentRunId: string;
  depth: number;
}

/** Records the run's parent once (a repeated start keeps the first). */
export function writeParent(db: RunDb, runId: string, link: ParentLink): void {
  insertRows(db, runParent, [{ runId, ...link }], "ON CONFLICT DO NOTHING");
}

/** The run's parent, or null for a run started by the API, a schedule or a webhook. */
export function parentOf(db: RunDb, runId: string): (ParentLink & { notifiedAt: number | null }) | null {
  const fields = selectList(runParent, ["parentRunId", "depth", "notifiedAt"]);
  return one(db, `SELECT ${fields} FROM run_parent WHERE run_id = ?`, runId);
}

/** Notes that the parent accepted the run's end: it is not told again. */
export function markParentNotified(db: RunDb, runId: string, at: number): void {
  db.update(runParent).set({ notifiedAt: at }).where(eq(runParent.runId, runId)).run();
}
