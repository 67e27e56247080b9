// Rows written, counted where they are written: every D1 call of the bench's Worker (its fetch and queue
// handlers, its run objects and its index writer) and every write to a run object's own storage (SQL and
// KV). Counters are per isolate (a local workerd runs the Worker and its objects in one); GET
// /v1/_floor/meter reads them, and the bench takes the difference around a phase. Counting is off until
// POST /v1/_floor/meter/on (and off again after /off), so that the latency scenarios measure Scaff as it
// ships, without the meter's own work. Only the bench's Worker (bench/floor/) meters.

export interface Meter {
  /** D1 statements executed, and those whose result carries no meta (first/raw/exec: not counted). */
  d1_statements: number;
  d1_unmetered: number;
  d1_rows_written: number;
  d1_rows_read: number;
  /** Durable Object SQLite statements (ctx.storage.sql.exec) and their cursor's rowsWritten. */
  do_sql_statements: number;
  do_sql_rows_written: number;
  /** Keys written or deleted through the object's KV API (each one a row of its SQLite). */
  do_kv_rows_written: number;
}

const meter: Meter = {
  d1_statements: 0,
  d1_unmetered: 0,
  d1_rows_written: 0,
  d1_rows_read: 0,
  do_sql_statements: 0,
  do_sql_rows_written: 0,
  do_kv_rows_written: 0,
};

let counting = false;

/** Turns counting on or off (the wrappers stay, and pass calls straight through while off). */
export function setCounting(on: boolean): void {
  counting = on;
}

/** The counters so far (a copy). */
export function readMeter(): Meter & { do_rows_written: number } {
  return { ...meter, do_rows_written: meter.do_sql_rows_written + meter.do_kv_rows_written };
}

function addMeta(results: D1Result<unknown>[]): void {
  for (const r of results) {
    meter.d1_statements++;
    meter.d1_rows_written += r.meta?.rows_written ?? 0;
    meter.d1_rows_read += r.meta?.rows_read ?? 0;
  }
}

const inner = new WeakMap<object, D1PreparedStatement>();

function meteredStatement(stmt: D1PreparedStatement): D1PreparedStatement {
  const wrapped = {
    bind: (...values: unknown[]) => meteredStatement(stmt.bind(...values)),
    first: (col?: string) => {
      meter.d1_statements++;
      meter.d1_unmetered++;
      return col === undefined ? stmt.first() : stmt.first(col);
    },
    run: async () => {
      const r = await stmt.run();
      addMeta([r]);
      return r;
    },
    all: async () => {
      const r = await stmt.all();
      addMeta([r]);
      return r;
    },
    raw: (options?: { columnNames?: boolean }) => {
      meter.d1_statements++;
      meter.d1_unmetered++;
      return options?.columnNames ? stmt.raw({ columnNames: true }) : stmt.raw();
    },
  };
  inner.set(wrapped, stmt);
  return wrapped as unknown as D1PreparedStatement;
}

const meteredDbs = new WeakMap<D1Database, D1Database>();

/** The D1 binding with every call counted; one wrapper per binding (Scaff caches its client by binding). */
export function meterD1(db: D1Database): D1Database {
  let m = meteredDbs.get(db);
  if (m) return m;
  const wrapped = {
    prepare: (query: string) => (counting ? meteredStatement(db.prepare(query)) : db.prepare(query)),
    batch: async <T>(statements: D1PreparedStatement[]) => {
      const results = await db.batch<T>(statements.map((s) => inner.get(s) ?? s));
      if (counting) addMeta(results);
      return results;
    },
    exec: (query: string) => {
      if (counting) {
        meter.d1_statements++;
        meter.d1_unmetered++;
      }
      return db.exec(query);
    },
    withSession: (c?: string) => {
      if (counting) meter.d1_unmetered++;
      return db.withSession(c);
    },
    dump: () => db.dump(),
  };
  m = wrapped as unknown as D1Database;
  meteredDbs.set(db, m);
  return m;
}

const meteredEnvs = new WeakMap<object, object>();

/** env with DB metered (one wrapper per env object). */
export function meterEnv<E extends { DB: D1Database }>(env: E): E {
  let m = meteredEnvs.get(env) as E | undefined;
  if (!m) {
    m = { ...env, DB: meterD1(env.DB) };
    meteredEnvs.set(env, m);
  }
  return m;
}

type Fn = (...args: never[]) => unknown;

/** Replaces obj[name] (a method) on obj itself by wrap(original bound to obj). */
function patch<T extends object>(obj: T, name: string, wrap: (original: Fn) => Fn): void {
  const original = Reflect.get(obj, name) as Fn | undefined;
  if (typeof original !== "function") return;
  Object.defineProperty(obj, name, { value: wrap(original.bind(obj)), configurable: true, writable: true });
}

const keyCount = (keys: unknown): number =>
  typeof keys === "string" ? 1 : Array.isArray(keys) ? keys.length : Object.keys(keys ?? {}).length;

/** Counts the keys every put/delete of a KV interface (async storage, a transaction, sync kv) writes. */
function meterKv(kv: object): void {
  for (const name of ["put", "delete"]) {
    patch(kv, name, (original) => (first: unknown, ...rest: unknown[]) => {
      if (counting) meter.do_kv_rows_written += keyCount(first);
      return (original as (...a: unknown[]) => unknown)(first, ...rest);
    });
  }
}

const metered = new WeakSet<object>();

/**
 * Meters the object's storage in place (workerd refuses a Proxy for the state its DurableObject base is
 * built with): sql.exec with its cursor's rowsWritten, and keys put or deleted through the async KV API (in
 * or out of a transaction) and the sync kv API. Alarms are not rows and are not counted.
 */
export function meterState(ctx: DurableObjectState): DurableObjectState {
  const storage = ctx.storage;
  if (metered.has(storage)) return ctx;
  metered.add(storage);
  const sql = storage.sql;
  patch(sql, "exec", (original) => (query: string, ...bindings: unknown[]) => {
    const cursor = (
      original as (q: string, ...b: unknown[]) => SqlStorageCursor<Record<string, SqlStorageValue>>
    )(query, ...bindings);
    // Miniflare names each new object in its own table (__miniflare_do_name): local only, not counted.
    if (!counting || query.includes("__miniflare_")) return cursor;
    meter.do_sql_statements++;
    // SQLite makes every change of an INSERT/UPDATE/DELETE (RETURNING too) during its first step, which
    // exec has already taken.
    meter.do_sql_rows_written += cursor.rowsWritten;
    return cursor;
  });
  meterKv(storage);
  if (storage.kv) meterKv(storage.kv);
  patch(
    storage,
    "transaction",
    (original) => (fn: (txn: DurableObjectTransaction) => Promise<unknown>) =>
      (original as (f: typeof fn) => Promise<unknown>)((txn) => {
        meterKv(txn);
        return fn(txn);
      }),
  );
  return ctx;
}
