/** The run's object: one per run id (a keyed start's run id is derived from its key: src/runs/start.ts). */
export const runStub = (env: Env, runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));
