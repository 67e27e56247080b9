import { drizzle } from "drizzle-orm/durable-sqlite";
import { RUN_PARENT_DDL } from "./parent";
import * as schema from "./schema";

/** The drizzle client over a run object's own SQLite: synchronous, one writer (the object). */
export type RunDb = ReturnType<typeof build>;

const build = (storage: DurableObjectStorage) => drizzle(storage, { schema });

/** Opens the run's database, creating its tables the first time (call inside blockConcurrencyWhile). */
export function openRunDb(storage: DurableObjectStorage): RunDb {
  storage.sql.exec(schema.RUN_DB_DDL);
  storage.sql.exec(RUN_PARENT_DDL);
  return build(storage);
}
