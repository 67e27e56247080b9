// The Worker isolate's JavaScript heap, read over the inspector that `wrangler dev --inspector-port`
// opens, and what one in-flight start adds to it: a production isolate has 128 MB for everything its
// in-flight requests hold at once.
import WebSocket from "ws";

const MIB = 1024 * 1024;
const SAMPLE_EVERY_MS = 5;
/** A CDP call that takes longer fails the bench instead of hanging it. */
const CALL_TIMEOUT_MS = 10_000;
/** Idle samples before the wave; the smallest is the baseline (workerd answers no HeapProfiler.collectGarbage). */
const IDLE_SAMPLES = 20;

/** Connects to wrangler's inspector proxy; `send(method, params)` resolves with the CDP result. */
export async function openInspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let next = 1;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    const done = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!done) return;
    waiting.delete(msg.id);
    if (msg.error) done.reject(new Error(`${msg.error.message} (${msg.error.code})`));
    else done.resolve(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`inspector: ${method} got no answer in ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      const settle = (fn) => (v) => {
        clearTimeout(timer);
        fn(v);
      };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

const used = async (inspector) => (await inspector.send("Runtime.getHeapUsage")).usedSize;

/**
 * Fires `starts` concurrent POST /v1/executions and samples the heap meanwhile. Returns the idle heap
 * (the smallest of a few samples just before), the peak while they were in flight, and the difference
 * per start.
 */
export async function heapPerInFlightStart(base, headers, inspector, { workflowId, starts = 100 }) {
  let idle = Number.POSITIVE_INFINITY;
  for (let i = 0; i < IDLE_SAMPLES; i++) {
    idle = Math.min(idle, await used(inspector));
    await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS * 4));
  }
  let peak = idle;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await used(inspector));
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    }
  })();
  const statuses = await Promise.all(
    Array.from({ length: starts }, async () => {
      const res = await fetch(`${base}/v1/executions`, {
        method: "POST",
        headers,
        body: JSON.stringify({ workflow_id: workflowId }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  sampling = false;
  await sampler;
  const accepted = statuses.filter((s) => s === 202).length;
  return {
    starts,
    accepted,
    idle_heap_mib: Number((idle / MIB).toFixed(2)),
    peak_heap_mib: Number((peak / MIB).toFixed(2)),
    per_start_kib: Number(((peak - idle) / starts / 1024).toFixed(1)),
  };
}
