// Rows written, counted where they are written: every D1 call of the bench's Worker (its fetch and queue
// handlers and its run objects) and every write to a run object's own storage (SQL and KV). Counters are
// per isolate (a local workerd runs the Worker and its objects in one); GET /v1/_floor/meter reads them,
// and the bench takes the difference around a phase. Only the bench's Worker (bench/floor/) meters.

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
    prepare: (query: string) => meteredStatement(db.prepare(query)),
    batch: async <T>(statements: D1PreparedStatement[]) => {
      const results = await db.batch<T>(statements.map((s) => inner.get(s) ?? s));
      addMeta(results);
      return results;
    },
    exec: (query: string) => {
      meter.d1_statements++;
      meter.d1_unmetered++;
      return db.exec(query);
    },
    withSession: (c?: string) => {
      meter.d1_unmetered++;
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

/** Binds methods to their real receiver (workerd's objects refuse a Proxy as `this`). */
function bound(target: object, prop: string | symbol): unknown {
  const v: unknown = Reflect.get(target, prop, target);
  return typeof v === "function" ? v.bind(target) : v;
}

function meteredSql(sql: SqlStorage): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop !== "exec") return bound(target, prop);
      return (query: string, ...bindings: unknown[]) => {
        const cursor = target.exec(query, ...bindings);
        meter.do_sql_statements++;
        // SQLite makes every change of an INSERT/UPDATE/DELETE (RETURNING too) during its first step,
        // which exec has already taken.
        meter.do_sql_rows_written += cursor.rowsWritten;
        return cursor;
      };
    },
  });
}

const keyCount = (keys: unknown): number =>
  typeof keys === "string" ? 1 : Array.isArray(keys) ? keys.length : Object.keys(keys ?? {}).length;

function meteredKv<T extends object>(kv: T): T {
  return new Proxy(kv, {
    get(target, prop) {
      const v = bound(target, prop);
      if ((prop !== "put" && prop !== "delete") || typeof v !== "function") return v;
      return (first: unknown, ...rest: unknown[]) => {
        meter.do_kv_rows_written += keyCount(first);
        return (v as (...a: unknown[]) => unknown)(first, ...rest);
      };
    },
  });
}

/**
 * The object's state with its storage metered: sql.exec, put/delete (async KV, in or out of a transaction)
 * and kv.put/delete (sync KV). Alarms are not rows and are not counted.
 */
export function meterState(ctx: DurableObjectState): DurableObjectState {
  const storage = meteredKv(ctx.storage);
  const sql = meteredSql(ctx.storage.sql);
  const kv = ctx.storage.kv ? meteredKv(ctx.storage.kv) : undefined;
  const meteredStorage = new Proxy(storage, {
    get(target, prop) {
      if (prop === "sql") return sql;
      if (prop === "kv") return kv;
      if (prop === "transaction")
        return <T>(fn: (txn: DurableObjectTransaction) => Promise<T>) =>
          ctx.storage.transaction((txn) => fn(meteredKv(txn)));
      return Reflect.get(target, prop);
    },
  });
  return new Proxy(ctx, {
    get(target, prop) {
      return prop === "storage" ? meteredStorage : bound(target, prop);
    },
  });
}
