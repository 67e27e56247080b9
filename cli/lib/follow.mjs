// Following a run: its events in order and, each time it waits for a person, the link to give
// them, until it ends. Polls the API (events by cursor, then the status) once a second.
import { call } from "./api.mjs";

export const TERMINAL = new Set(["completed", "rejected", "failed", "cancelled"]);
const POLL_MS = 1_000;
const PAGE = 500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads the run's events after the ones already seen; `state` keeps the place between calls. */
export async function readNewEvents(conn, runId, state, onEvent) {
  for (;;) {
    const query = { limit: PAGE, ...(state.cursor ? { cursor: state.cursor } : {}) };
    const page = await call(
      conn,
      conn.client.GET("/v1/executions/{run_id}/events", { params: { path: { run_id: runId }, query } }),
    );
    for (const event of page.items) {
      if (event.id > state.lastId) {
        state.lastId = event.id;
        onEvent(event);
      }
    }
    // The last page has no cursor: it is read again next time, skipping the events already seen.
    if (!page.next_cursor) return;
    state.cursor = page.next_cursor;
  }
}

export function getStatus(conn, runId) {
  return call(conn, conn.client.GET("/v1/executions/{run_id}", { params: { path: { run_id: runId } } }));
}

/** Follows the run to its end; `onWait` hears each new wait once. Resolves with the final status. */
export async function followRun(conn, runId, { onEvent, onWait = () => {} }) {
  const state = { cursor: undefined, lastId: 0 };
  const waits = new Set();
  for (;;) {
    const status = await getStatus(conn, runId);
    await readNewEvents(conn, runId, state, onEvent);
    if (TERMINAL.has(status.status)) return status;
    if (status.waiting) {
      const key = `${status.waiting.step_id}|${status.waiting.expires_at}`;
      if (!waits.has(key)) {
        waits.add(key);
        onWait(status);
      }
    }
    await sleep(POLL_MS);
  }
}
