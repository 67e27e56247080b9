// CPU time per operation: each operation sent one at a time, N times, with the CPU the Worker's
// processes used meanwhile read from /proc (utime + stime): workerd (the Worker, its objects, local D1
// and queues) and wrangler's node process (which, locally, also does work for every D1 call and every
// log line). Unlike latency this barely moves with what else the machine runs, so it says what an
// operation costs even when the latency ratios are noisy. Informational: no target rests on it.
import { readFileSync } from "node:fs";
import { sleep } from "./http.mjs";
import { processTree } from "./memory.mjs";
import { FORM_WORKFLOW } from "./scenarios.mjs";

const TICK_MS = 10; // USER_HZ = 100 on Linux
/** After the last request, background work it started (the index write) is given this long to land. */
const SETTLE_MS = 1500;

/** CPU ms so far of workerd and of wrangler's node process in the server's process tree. */
export function cpuByProcess(rootPid) {
  const out = { workerd: 0, wrangler: 0 };
  for (const p of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
      if (p.comm.includes("workerd")) out.workerd += ms;
      else if (p.comm.includes("node")) out.wrangler += ms;
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

async function send(base, headers, method, path, body) {
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** The operations measured, cheapest first; `runs` is filled by start and used by status and resume. */
function operations(runs) {
  const floor = (id, method = "POST") => ({
    id: `floor:${id}`,
    op: (b, h, i) =>
      send(b, h, method, `/v1/_floor/${id}${method === "POST" ? `?key=floor-${i % 20}` : "?key=hot"}`),
  });
  return [
    floor("do-noop"),
    floor("do-sqlite"),
    floor("d1-read", "GET"),
    floor("do-d1-batch"),
    {
      id: "start",
      op: async (b, h) => {
        const run = JSON.parse(
          await send(b, h, "POST", "/v1/executions", JSON.stringify({ workflow_id: FORM_WORKFLOW })),
        );
        runs.push(run);
      },
    },
    { id: "status", op: (b, h, i) => send(b, h, "GET", `/v1/executions/${runs[i % runs.length].run_id}`) },
    {
      id: "resume",
      op: (b, h, i) => {
        const run = runs[i];
        const body = { token: run.waiting.resume_token, data: { name: "cpu", score: 1 } };
        return send(b, h, "POST", `/v1/executions/${run.run_id}/resume`, JSON.stringify(body));
      },
    },
  ];
}

/** Per operation: ms of wall time and of CPU (workerd, wrangler, total) per request, N requests each. */
export async function cpuPerOperation(base, headers, rootPid, n) {
  const runs = [];
  const out = {};
  for (const { id, op } of operations(runs)) {
    await sleep(SETTLE_MS);
    const before = cpuByProcess(rootPid);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await op(base, headers, i);
    const wall = performance.now() - t0;
    await sleep(SETTLE_MS);
    const after = cpuByProcess(rootPid);
    const per = (v) => Number((v / n).toFixed(2));
    const workerd = after.workerd - before.workerd;
    const wrangler = after.wrangler - before.wrangler;
    out[id] = {
      requests: n,
      wall_ms: per(wall),
      cpu_workerd_ms: per(workerd),
      cpu_wrangler_ms: per(wrangler),
      cpu_total_ms: per(workerd + wrangler),
    };
  }
  return out;
}
