import { drizzle } from "drizzle-orm/durable-sqlite";
import { RUN_PARENT_DDL } from "./parent";
import { RUN_DB_DDL } from "./schema";

/**
 * The drizzle client over a run object's own SQLite: synchronous, one writer (the object). Built
 * without the relational schema (nothing here uses `db.query`), which saves every new object the
 * work of deriving it.
 */
export type RunDb = ReturnType<typeof build>;

const build = (storage: DurableObjectStorage) => drizzle(storage);

const DDL = RUN_DB_DDL + RUN_PARENT_DDL;

/** The tables and indexes the DDL makes, by name. */
const MADE = [...DDL.matchAll(/CREATE (?:UNIQUE )?(?:TABLE|INDEX) IF NOT EXISTS (\w+)/g)].map((m) => m[1]);

/** How many of them the object's database already has (one read, cheaper than the DDL's statements). */
const HAS_MADE = `SELECT count(*) AS n FROM sqlite_master WHERE name IN (${MADE.map(() => "?").join(", ")})`;

/**
 * Opens the run's database, creating its tables the first time (call inside blockConcurrencyWhile).
 * An object woken again (after eviction) has them all: one read instead of the DDL's eight statements.
 * An object missing any (a new one, or one made before a table was added) runs the DDL, which leaves
 * what exists as it is.
 */
export function openRunDb(storage: DurableObjectStorage): RunDb {
  const { n } = storage.sql.exec<{ n: number }>(HAS_MADE, ...MADE).one();
  if (n < MADE.length) storage.sql.exec(DDL);
  return build(storage);
}
