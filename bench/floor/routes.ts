import { Hono } from "hono";
import type { AppEnv } from "../../src/api/app-env";
import { readMeter, setCounting } from "./meter";
import { FLOOR_PAYLOAD, FLOOR_TABLE_SQL, FLOOR_UPSERT } from "./sql";
import type { FloorEnv } from "./worker";

/**
 * Benchmark floor: the cheapest possible versions of what a Scaff operation is built from, so
 * `npm run bench` can report each operation as a multiple of its platform floor. Plain Hono routes
 * (never in the OpenAPI document), under /v1 so they pay the same middleware (request context, body
 * limit, API-key auth) as the Scaff routes they are compared with. Only the bench's own Worker
 * (bench/floor/worker.ts) mounts them; the production bundle has none of this.
 */
export const benchFloorRoutes = new Hono<{ Bindings: FloorEnv; Variables: AppEnv["Variables"] }>();

export const FLOOR_PREFIX = "/v1/_floor";

const KEY = /^[A-Za-z0-9._-]{1,64}$/;

/** The row/object key: `?key=` when given (a hot object or row), else a fresh one (like a new run). */
function keyOf(param: string | undefined): string {
  return param !== undefined && KEY.test(param) ? param : crypto.randomUUID();
}

// Creates the floor's table; the bench and the probe call it once before anything else.
benchFloorRoutes.post(`${FLOOR_PREFIX}/setup`, async (c) => {
  await c.env.DB.prepare(FLOOR_TABLE_SQL).run();
  return c.json({ ok: true }, 200);
});

benchFloorRoutes.get(`${FLOOR_PREFIX}/bare`, (c) => c.json({ ok: true }, 200));

benchFloorRoutes.post(`${FLOOR_PREFIX}/do-noop`, async (c) => {
  const stub = c.env.RUNS.get(c.env.RUNS.idFromName(keyOf(c.req.query("key"))));
  return c.json({ ok: true, result: await stub.floorPing() }, 200);
});

// One row written in the object's own SQLite, in one synchronous transaction (ctx.storage.transactionSync).
benchFloorRoutes.post(`${FLOOR_PREFIX}/do-sqlite`, async (c) => {
  const key = keyOf(c.req.query("key"));
  const stub = c.env.RUNS.get(c.env.RUNS.idFromName(key));
  return c.json({ ok: true, rows_written: await stub.floorSqlWrite(key) }, 200);
});

// What the meter has counted in this isolate so far (bench/floor/meter.ts); the bench diffs two reads.
benchFloorRoutes.get(`${FLOOR_PREFIX}/meter`, (c) => c.json(readMeter(), 200));

// Counting on or off (off at start: the latency scenarios run without the meter's own work).
benchFloorRoutes.post(`${FLOOR_PREFIX}/meter/:state{on|off}`, (c) => {
  setCounting(c.req.param("state") === "on");
  return c.json({ counting: c.req.param("state") === "on" }, 200);
});

benchFloorRoutes.post(`${FLOOR_PREFIX}/d1-batch`, async (c) => {
  const results = await c.env.DB.batch([
    c.env.DB.prepare(FLOOR_UPSERT).bind(keyOf(c.req.query("key")), FLOOR_PAYLOAD, Date.now()),
  ]);
  return c.json({ ok: true, changes: results[0]?.meta.changes ?? 0 }, 200);
});

benchFloorRoutes.post(`${FLOOR_PREFIX}/do-d1-batch`, async (c) => {
  const key = keyOf(c.req.query("key"));
  const stub = c.env.RUNS.get(c.env.RUNS.idFromName(key));
  return c.json({ ok: true, changes: await stub.floorBatch(key) }, 200);
});

// One indexed single-row read: the floor of a status read, which is D1 reads plus JSON.
benchFloorRoutes.get(`${FLOOR_PREFIX}/d1-read`, async (c) => {
  const row = await c.env.DB.prepare("SELECT id, counter, payload, updated_at FROM bench_floor WHERE id = ?")
    .bind(keyOf(c.req.query("key")))
    .first<{ id: string; counter: number; payload: string; updated_at: number }>();
  return c.json({ ok: true, found: row !== null, counter: row?.counter ?? 0 }, 200);
});
