import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle client over the D1 binding; cheap to build per request. */
export const getDb = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof getDb>;

/** One trivial query: whether D1 answers at all (the health check). */
export async function pingDb(d1: D1Database): Promise<void> {
  await d1.prepare("SELECT 1").first();
}
