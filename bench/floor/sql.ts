// The floor's one table and its one write, shared by the floor routes and the floor's run object (the same
// table and statement in D1 and in the object's own SQLite).

/** Created through POST /v1/_floor/setup, which the bench and the probe call first; never in migrations/. */
export const FLOOR_TABLE_SQL =
  "CREATE TABLE IF NOT EXISTS bench_floor (id TEXT PRIMARY KEY NOT NULL, counter INTEGER NOT NULL, payload TEXT NOT NULL, updated_at INTEGER NOT NULL)";

/** One run-sized row: the same statement for "D1 batch", "DO RPC + one D1 batch" and "DO RPC + DO SQLite write". */
export const FLOOR_UPSERT =
  "INSERT INTO bench_floor (id, counter, payload, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT(id) DO UPDATE SET counter = counter + 1, payload = excluded.payload, updated_at = excluded.updated_at";

/** The row payload: about the size of a run row. */
export const FLOOR_PAYLOAD = "x".repeat(512);
