// Constant SQL on the run's own SQLite for the statements every transition and every answer runs
// (see src/db/sql-text.ts for why not drizzle here): straight to `storage.sql.exec`. Rows come back
// shaped as drizzle's, with camelCase fields (selectList).
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { insertText, updateText, valuesOf } from "../db/sql-text";
import type { RunDb } from "./client";

export { selectList } from "../db/sql-text";

type Value = string | number | null;

/** Every row `query` answers. */
export function all<T>(db: RunDb, query: string, ...args: Value[]): T[] {
  return db.$client.sql.exec(query, ...args).toArray() as T[];
}

/** The first row `query` answers, or null. */
export function one<T>(db: RunDb, query: string, ...args: Value[]): T | null {
  for (const row of db.$client.sql.exec(query, ...args)) return row as T;
  return null;
}

/** Runs a statement that answers no rows. */
export function exec(db: RunDb, query: string, ...args: Value[]): void {
  db.$client.sql.exec(query, ...args);
}

/** Inserts rows (the same fields each, as drizzle names them) in one statement; `tail` follows it (ON CONFLICT …). */
export function insertRows(
  db: RunDb,
  table: SQLiteTable,
  rows: readonly Record<string, unknown>[],
  tail = "",
): void {
  const first = rows[0];
  if (!first) return;
  const fields = Object.keys(first);
  const values = rows.flatMap((r) => valuesOf<Value>(r, fields));
  exec(db, insertText(table, fields, rows.length, tail), ...values);
}

/** Inserts one row like insertRows and answers what `returning` (a RETURNING clause) says of it. */
export function insertReturning<T>(
  db: RunDb,
  table: SQLiteTable,
  row: Record<string, unknown>,
  returning: string,
): T | null {
  const fields = Object.keys(row);
  return all<T>(db, insertText(table, fields, 1, returning), ...valuesOf<Value>(row, fields))[0] ?? null;
}

/**
 * Sets the fields of `set` on the rows `where` matches (a condition on column names whose `?` bind
 * `whereArgs`); a field whose value is undefined keeps its column as it is.
 */
export function updateRows(
  db: RunDb,
  table: SQLiteTable,
  set: Record<string, unknown>,
  where: string,
  ...whereArgs: Value[]
): void {
  const fields = Object.keys(set).filter((f) => set[f] !== undefined);
  exec(db, updateText(table, fields, where), ...valuesOf<Value>(set, fields), ...whereArgs);
}
