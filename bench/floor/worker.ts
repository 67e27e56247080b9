// The bench's own Worker: Scaff exactly as deployed, plus the platform-floor routes and a run object
// that can also answer the floor's RPCs, with every D1 call and every write to an object's storage
// counted (./meter.ts). `npm run bench` runs it with a config made from wrangler.toml (bench/lib/config.mjs); the production entry
// (src/index.ts) and bundle contain none of it.
import { createApp } from "../../src/app";

import { IndexWriter as ScaffIndexWriter } from "../../src/durable/index-writer";
import { RunCoordinator as ScaffCoordinator } from "../../src/durable/run-coordinator";
import { handleQueue, type QueueMessage } from "../../src/queue";
import { meterEnv, meterState } from "./meter";
import { benchFloorRoutes } from "./routes";
import { FLOOR_PAYLOAD, FLOOR_TABLE_SQL, FLOOR_UPSERT } from "./sql";

/** Scaff's run object, metered, with the floors' RPCs: no-op, one DO SQLite write, one D1 batch. */
export class RunCoordinator extends ScaffCoordinator {
  private floorTable = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(meterState(ctx), meterEnv(env));
  }

  /** An RPC that does nothing. */
  async floorPing(): Promise<number> {
    return 1;
  }

  /**
   * An RPC that writes one run-sized row in the object's own SQLite, in one synchronous transaction
   * (what a transition costs when the run's object is its record), through the same chain as every run entry.
   */
  floorSqlWrite(key: string): Promise<number> {
    return this.serial(async () => {
      const sql = this.ctx.storage.sql;
      if (!this.floorTable) {
        sql.exec(FLOOR_TABLE_SQL);
        this.floorTable = true;
      }
      return this.ctx.storage.transactionSync(
        () => sql.exec(FLOOR_UPSERT, key, FLOOR_PAYLOAD, Date.now()).rowsWritten,
      );
    });
  }

  /** An RPC that writes one D1 batch (a run-sized row), through the same chain as every run entry. */
  floorBatch(key: string): Promise<number> {
    return this.serial(async () => {
      const results = await this.env.DB.batch([
        this.env.DB.prepare(FLOOR_UPSERT).bind(key, FLOOR_PAYLOAD, Date.now()),
      ]);
      return results[0]?.meta.changes ?? 0;
    });
  }
}

/** Scaff's index writer, its D1 calls metered (the index writes of runs go through it). */
export class IndexWriter extends ScaffIndexWriter {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
  }
}

/** The bench Worker's bindings: Scaff's, with RUNS bound to the floor-capable object. */
export type FloorEnv = Omit<Env, "RUNS"> & { RUNS: DurableObjectNamespace<RunCoordinator> };

const app = createApp();
app.route("/", benchFloorRoutes);

export default {
  fetch: (req, env, ctx) => app.fetch(req, meterEnv(env), ctx),
  queue: (batch, env) => handleQueue(batch, meterEnv(env)),
} satisfies ExportedHandler<Env, QueueMessage>;
