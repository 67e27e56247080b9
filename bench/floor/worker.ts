// The bench's own Worker: Scaff exactly as deployed, plus the platform-floor routes and a run object
// that can also answer the floor's RPCs. `npm run bench` runs it with bench/wrangler.toml; the
// production entry (src/index.ts) and bundle contain none of it.
import { createApp } from "../../src/app";
import { RunCoordinator as ScaffCoordinator } from "../../src/durable/run-coordinator";
import { handleQueue, type QueueMessage } from "../../src/queue";
import { benchFloorRoutes } from "./routes";
import { FLOOR_PAYLOAD, FLOOR_UPSERT } from "./sql";

/** Scaff's run object with two more RPCs: the floors "DO RPC" and "DO RPC + one D1 batch". */
export class RunCoordinator extends ScaffCoordinator {
  /** An RPC that does nothing. */
  async floorPing(): Promise<number> {
    return 1;
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

/** The bench Worker's bindings: Scaff's, with RUNS bound to the floor-capable object. */
export type FloorEnv = Omit<Env, "RUNS"> & { RUNS: DurableObjectNamespace<RunCoordinator> };

const app = createApp();
app.route("/", benchFloorRoutes);

export default {
  fetch: app.fetch,
  queue: handleQueue,
} satisfies ExportedHandler<Env, QueueMessage>;
