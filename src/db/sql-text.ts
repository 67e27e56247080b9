// SQL text built once from the drizzle schema, for the statements that run on every transition and
// every index write: the run's own SQLite (src/run-db/sql.ts) and D1's index (run-index.ts, wait-index.ts).
// Drizzle builds each query anew on every call (entity checks, chunk merging, name escaping): in
// `npm run bench:profile` that was a third of a start's CPU. A statement here is built the first time
// its table and column set is used, and its text is the same every time after (D1 and the object's
// SQLite keep prepared statements by their text). Values are always bound, never spliced in.
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

type Columns = Record<string, { name: string }>;

const built = new Map<string, string>();

/** The statement `make` builds for `key`, built on first use only. */
export function once(key: string, make: () => string): string {
  let text = built.get(key);
  if (text === undefined) {
    text = make();
    built.set(key, text);
  }
  return text;
}

/** The table's drizzle field names, in its declared column order. */
export const fieldsOf = (table: SQLiteTable): string[] => Object.keys(getTableColumns(table));

/** The column name of a drizzle field (throws on a field the table does not have: a typo in code). */
export function columnOf(table: SQLiteTable, field: string): string {
  const column = (getTableColumns(table) as unknown as Columns)[field];
  if (!column) throw new Error(`${getTableName(table)} has no field '${field}'`);
  return column.name;
}

/** `column AS "field", …` for every column of `table` (or only `fields`): a SELECT list in drizzle's row shape. */
export function selectList(table: SQLiteTable, fields?: readonly string[]): string {
  return once(`select:${getTableName(table)}:${fields?.join(",") ?? "*"}`, () =>
    (fields ?? fieldsOf(table)).map((f) => `${columnOf(table, f)} AS "${f}"`).join(", "),
  );
}

/** `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows of `fields`, then `tail` as it is. */
export function insertText(table: SQLiteTable, fields: readonly string[], rows = 1, tail = ""): string {
  const name = getTableName(table);
  return once(`insert:${name}:${fields.join(",")}:${rows}:${tail}`, () => {
    const tuple = `(${fields.map(() => "?").join(", ")})`;
    const list = fields.map((f) => columnOf(table, f)).join(", ");
    return `INSERT INTO ${name} (${list}) VALUES ${Array.from({ length: rows }, () => tuple).join(", ")} ${tail}`.trim();
  });
}

/** `UPDATE table SET column = ?, … WHERE where` for `fields`. */
export function updateText(table: SQLiteTable, fields: readonly string[], where: string): string {
  const name = getTableName(table);
  return once(`update:${name}:${fields.join(",")}:${where}`, () => {
    const set = fields.map((f) => `${columnOf(table, f)} = ?`).join(", ");
    return `UPDATE ${name} SET ${set} WHERE ${where}`;
  });
}

/** `column = excluded.column, …` for `fields`: an upsert's update of the row it conflicts with. */
export function excludedSet(table: SQLiteTable, fields: readonly string[]): string {
  return fields.map((f) => `${columnOf(table, f)} = excluded.${columnOf(table, f)}`).join(", ");
}

/** The values of `row` in `fields`' order (undefined as null), for binding. */
export const valuesOf = <V>(row: Record<string, unknown>, fields: readonly string[]): V[] =>
  fields.map((f) => (row[f] ?? null) as V);
