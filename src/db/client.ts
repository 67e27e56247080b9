import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const build = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof build>;

// Building a client maps the whole schema; keep one per binding (the binding lives as long as the isolate).
const clients = new WeakMap<D1Database, Db>();

/** The drizzle client over a D1 binding. */
export function getDb(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = build(d1);
    clients.set(d1, db);
  }
  return db;
}

/** One trivial query: whether D1 answers at all (the health check). */
export async function pingDb(d1: D1Database): Promise<void> {
  await getDb(d1).get(sql`select 1`);
}
