import { and, eq, exists, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { runs } from "./schema";

// A transition's statements only take effect if the run row reached the version the transition writes:
// a batch that lost the compare-and-set on the run row writes nothing else either.

/** True while the run row is at `version`. */
export const runAtVersion = (db: Db, runId: string, version: number): SQL =>
  exists(
    db
      .select({ one: sql`1` })
      .from(runs)
      .where(and(eq(runs.id, runId), eq(runs.version, version))),
  );

/**
 * `INSERT INTO table SELECT <row> WHERE <guard>`: drizzle's insert-select wants a value for every column
 * in table order, so the row is spread over the table's columns (undefined → the column's default or NULL).
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: T["$inferInsert"], guard: SQL) {
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = (row as Record<string, unknown>)[key] ?? column.default;
    return value === undefined || value === null ? sql`null` : sql.param(value, column);
  });
  return db.insert(table).select(sql`select ${sql.join(values, sql`, `)} where ${guard}`);
}
