import { runStub } from "../durable/address";
import { type RpcResult, unwrap, unwrapRun } from "../durable/rpc";
import type { RunSnapshot } from "../durable/snapshot";
import { collectWorkflowSecrets, redactSecrets } from "../lib/secrets";
import type { runEvents, runHistory } from "../run-db/history";

// The console reads a run the way the API's run endpoints do: from the run's object, over the reads it
// already answers (src/durable/reads.ts); the RPC types are restored here as in the API's routes.

export type RunHistory = ReturnType<typeof runHistory>;
export type RunEvent = ReturnType<typeof runEvents>["items"][number];

const EVENTS_PAGE = 200;
/** The timeline shows at most this many events (a run past its loop budget stops long before). */
export const MAX_TIMELINE_EVENTS = 2000;

/** Everything the timeline shows of one run: its record, its steps with attempts, and its events. */
export interface RunStory {
  run: RunSnapshot;
  history: RunHistory;
  events: RunEvent[];
  eventsTruncated: boolean;
}

/**
 * Reads a run's story from its object (a 404 AppError when the run does not exist). api_call steps
 * store their requests and responses with secrets already redacted; the whole story is redacted
 * again with the secrets configured now, so a page never shows one whatever a step recorded.
 */
export async function readRunStory(env: Env, runId: string): Promise<RunStory> {
  const stub = runStub(env, runId);
  const run = unwrapRun(await stub.status(runId));
  const history = unwrap((await stub.history(runId)) as unknown as RpcResult<RunHistory>);
  const events: RunEvent[] = [];
  let after = 0;
  let more = true;
  while (more && events.length < MAX_TIMELINE_EVENTS) {
    const page = unwrap(
      (await stub.events(runId, EVENTS_PAGE, after)) as unknown as RpcResult<ReturnType<typeof runEvents>>,
    );
    events.push(...page.items);
    more = page.hasMore && page.lastId !== undefined;
    after = page.lastId ?? after;
  }
  const story: RunStory = { run, history, events, eventsTruncated: more };
  return redactSecrets(story, collectWorkflowSecrets(env)) as RunStory;
}

/** Cancels a run through its object, as `POST /v1/executions/{id}/cancel` does. */
export async function cancelRun(env: Env, runId: string, by: string): Promise<RunSnapshot> {
  return unwrapRun(await runStub(env, runId).cancel(runId, by));
}
