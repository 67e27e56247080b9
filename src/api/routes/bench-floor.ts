import { Hono } from "hono";
import type { AppEnv } from "../app-env";

/**
 * Benchmark floor: the cheapest possible versions of what a Scaff operation is built from, so
 * `npm run bench` can report each operation as a multiple of its platform floor. Plain Hono routes
 * (never in the OpenAPI document), under /v1 so they pay the same middleware (request context, body
 * limit, API-key auth) as the Scaff routes they are compared with. They answer only when
 * BENCH_FLOOR is exactly "true"; otherwise every path here is a 404 like any unknown route.
 */
export const benchFloorRoutes = new Hono<AppEnv>();

export const FLOOR_PREFIX = "/v1/_floor";

// The same statement and payload size as RunCoordinator.floorBatch, so "D1 batch" and "DO + D1 batch"
// differ only by the Durable Object hop.
const UPSERT =
  "INSERT INTO bench_floor (id, counter, payload, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT(id) DO UPDATE SET counter = counter + 1, payload = excluded.payload, updated_at = excluded.updated_at";
const PAYLOAD = "x".repeat(512);
const KEY = /^[A-Za-z0-9._-]{1,64}$/;

/** The row/object key: `?key=` when given (a hot object or row), else a fresh one (like a new run). */
function keyOf(param: string | undefined): string {
  return param !== undefined && KEY.test(param) ? param : crypto.randomUUID();
}

benchFloorRoutes.use(`${FLOOR_PREFIX}/*`, async (c, next) => {
  if (c.env.BENCH_FLOOR !== "true") return c.notFound();
  await next();
});

benchFloorRoutes.get(`${FLOOR_PREFIX}/bare`, (c) => c.json({ ok: true }, 200));

benchFloorRoutes.post(`${FLOOR_PREFIX}/do-noop`, async (c) => {
  const stub = c.env.RUNS.get(c.env.RUNS.idFromName(keyOf(c.req.query("key"))));
  return c.json({ ok: true, result: await stub.floorPing() }, 200);
});

benchFloorRoutes.post(`${FLOOR_PREFIX}/d1-batch`, async (c) => {
  const results = await c.env.DB.batch([
    c.env.DB.prepare(UPSERT).bind(keyOf(c.req.query("key")), PAYLOAD, Date.now()),
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
