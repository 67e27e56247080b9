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

/** Opens the run's database, creating its tables the first time (call inside blockConcurrencyWhile). */
export function openRunDb(storage: DurableObjectStorage): RunDb {
  storage.sql.exec(RUN_DB_DDL + RUN_PARENT_DDL);
  return build(storage);
}
