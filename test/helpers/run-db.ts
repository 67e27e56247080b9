/** SQL on a run's own storage (its Durable Object's SQLite), shaped like D1's API so tests read alike. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { INDEX_COALESCE_MS } from "../../src/durable/index-sync";

/** The run's object. */
export const runStubOf = (runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));

type Value = string | number | null;

const exec = (runId: string, query: string, params: Value[]) =>
  runInDurableObject(runStubOf(runId), (_instance, state) => {
    const cursor = state.storage.sql.exec(query, ...params);
    return { rows: cursor.toArray() as Record<string, unknown>[], written: cursor.rowsWritten };
  });

/** `runDb(runId).prepare(sql).bind(...).all() / first() / run()`, inside the run's object. */
export function runDb(runId: string) {
  return {
    prepare(query: string) {
      const statement = (params: Value[]) => ({
        bind: (...more: Value[]) => statement([...params, ...more]),
        async all<T = Record<string, unknown>>(): Promise<{ results: T[] }> {
          return { results: (await exec(runId, query, params)).rows as T[] };
        },
        async first<T = Record<string, unknown>>(): Promise<T | null> {
          return ((await exec(runId, query, params)).rows[0] as T | undefined) ?? null;
        },
        async run(): Promise<{ meta: { changes: number } }> {
          return { meta: { changes: (await exec(runId, query, params)).written } };
        },
      });
      return statement([]);
    },
  };
}

/** Waits until the run's object wrote D1's index (the index lags the run by this write). */
export async function indexSettled(runId: string): Promise<void> {
  await runStubOf(runId).settleIndex();
}

/**
 * The run's alarm once the index write it owes landed: until then (the object holds the write for a
 * moment to coalesce it, src/durable/index-sync.ts) the alarm may be the index watchdog's.
 */
export async function alarmOf(runId: string): Promise<number | null> {
  await indexSettled(runId);
  return runInDurableObject(runStubOf(runId), (_instance, state) => state.storage.getAlarm());
}

/**
 * Waits until D1's index of a workflow's runs stops changing (every write held or in flight landed):
 * for a test that lists runs it did not keep the ids of.
 */
export async function indexCaughtUp(workflowId: string): Promise<void> {
  const state = async () =>
    JSON.stringify(
      await env.DB.prepare("SELECT count(*) AS n, sum(version) AS v FROM run_index WHERE workflow_id = ?")
        .bind(workflowId)
        .first(),
    );
  for (let last = await state(); ; ) {
    await new Promise((resolve) => setTimeout(resolve, INDEX_COALESCE_MS + 100));
    const now = await state();
    if (now === last) return;
    last = now;
  }
}
