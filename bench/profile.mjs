// CPU profile of the Worker isolate (its Durable Objects included) while one operation runs one request
// at a time: `npm run bench:profile -- start|resume|status [count]`. Writes <tmp>/<op>.cpuprofile
// (open it in Chrome DevTools) and prints the functions with the most self time, and the same by source
// file. It is how the bench's CPU-per-operation figures are taken apart; it sets no target.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuByProcess, cpuPerOperation } from "./lib/cpu.mjs";
import { openInspector } from "./lib/heap.mjs";
import { runLoad } from "./lib/load.mjs";
import { FLOOR_OBJECTS, FORM_WORKFLOW, floorSpecs, resumeSpec, startSpec } from "./lib/scenarios.mjs";
import {
  benchSecrets,
  makeStateDir,
  migrate,
  removeStateDir,
  shippedLogLevel,
  startServer,
  stopServer,
} from "./lib/server.mjs";

const HERE = import.meta.dirname;
/** Profiles are large and per machine: written outside the repository. */
const OUT = mkdtempSync(join(tmpdir(), "scaff-profile-"));
const [op = "start", countArg = "300"] = process.argv.slice(2);
const count = Number(countArg);
if (!["start", "resume", "status", "quick"].includes(op) || !(count > 0)) {
  console.error("usage: npm run bench:profile -- start|resume|status|quick [count]");
  process.exit(2);
}

async function call(base, headers, method, path, body, contentType = "application/json") {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, "content-type": contentType },
    body,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Self time (ms) per node, folded by key(node). */
function fold(profile, key) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

/** Time (ms) of the samples each function is on the stack of (once per sample), worker.js functions only. */
function inclusive(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      if (!f.url.endsWith("worker.js")) continue;
      const k = `${f.functionName || "(anonymous)"}:${f.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    }
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

function print(title, rows, total, n = 40) {
  console.log(`\n## ${title}`);
  for (const [k, ms] of rows.slice(0, n)) {
    console.log(
      `${(ms / count).toFixed(3).padStart(8)} ms/op ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`,
    );
  }
}

/**
 * `quick`: one closed-loop sample of the DO SQLite floor (warm objects, then a new object each time),
 * start and resume, each with the Worker's CPU per request under that load, and the CPU per operation:
 * a fast check while working on the run path (`npm run bench` gives the figures that count).
 */
async function quick(server, headers) {
  const h = { ...headers, "content-type": "application/json" };
  await call(server.base, headers, "POST", "/v1/_floor/setup");
  await call(server.base, headers, "POST", "/v1/_floor/d1-batch?key=hot");
  const opts = { connections: 10, durationS: 4 };
  const floor = floorSpecs().find((f) => f.id === "do-sqlite");
  await runLoad(server.base, h, { ...floor, amount: FLOOR_OBJECTS + 10 }, opts);
  const pool = [];
  await runLoad(server.base, h, { ...startSpec(pool), amount: 100 }, opts);
  const rows = [];
  // Under load the Worker's isolate is what saturates: its process's CPU per request says what an
  // operation costs with less noise than the latency of one sample.
  const sample = async (name, spec) => {
    const before = cpuByProcess(server.child.pid);
    const r = await runLoad(server.base, h, spec, opts);
    const after = cpuByProcess(server.child.pid);
    const per = (k) => (after[k] - before[k]) / r.requests;
    rows.push([name, { ...r, cpu_ms: per("workerd"), wrangler_ms: per("wrangler") }]);
  };
  const fresh = floorSpecs().find((f) => f.id === "do-sqlite-new");
  for (const spec of [floor, fresh, startSpec(pool)]) await sample(spec.name, spec);
  await sample("resume", resumeSpec(pool, 10));
  const base = rows[0][1];
  for (const [name, r] of rows) {
    const ratio = (k) => (r[k] / base[k]).toFixed(2);
    console.log(
      `${name}: p50 ${r.p50_ms} ms (${ratio("p50_ms")}×) p95 ${r.p95_ms} ms (${ratio("p95_ms")}×) ${r.rps} req/s, CPU/req workerd ${r.cpu_ms.toFixed(2)} ms (${ratio("cpu_ms")}×) wrangler ${r.wrangler_ms.toFixed(2)} ms`,
    );
  }
  // One request at a time as well (the bench's CPU table): QUICK_SEQUENTIAL=0 skips it.
  if (process.env.QUICK_SEQUENTIAL === "0") return;
  const cpu = await cpuPerOperation(server.base, h, server.child.pid, count > 200 ? 150 : count);
  for (const [id, c] of Object.entries(cpu))
    console.log(
      `cpu ${id}: workerd ${c.cpu_workerd_ms} ms, wrangler ${c.cpu_wrangler_ms} ms, total ${c.cpu_total_ms} ms`,
    );
}

const stateDir = makeStateDir();
const secrets = benchSecrets();
const headers = { authorization: `Bearer ${secrets.apiKey}` };
await migrate(stateDir);
const server = await startServer(stateDir, secrets, process.env.PROFILE_LOG_LEVEL ?? shippedLogLevel());
try {
  const { base } = server;
  const yaml = readFileSync(join(HERE, "fixtures", `${FORM_WORKFLOW}.yaml`), "utf8");
  await call(base, headers, "POST", "/v1/workflows", yaml, "application/yaml");
  if (op === "quick") await quick(server, headers);
  else await profileOf(server, headers);
} finally {
  await stopServer(server.child);
  removeStateDir(stateDir);
}

async function profileOf(server, headers) {
  const { base } = server;
  const runs = [];
  const start = async () =>
    runs.push(
      await call(base, headers, "POST", "/v1/executions", JSON.stringify({ workflow_id: FORM_WORKFLOW })),
    );
  // Warm-up (and the runs that status and resume use).
  for (let i = 0; i < (op === "start" ? 30 : count + 30); i++) await start();
  const inspector = await openInspector(server.inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  if (process.env.PROFILE_LOAD && op === "start") {
    // Under the bench's closed-loop load instead of one request at a time.
    const h = { ...headers, "content-type": "application/json" };
    const r = await runLoad(base, h, { ...startSpec([]), amount: count }, { connections: 10, durationS: 30 });
    console.log(`under load: ${r.requests} starts, p50 ${r.p50_ms} ms, ${r.rps} req/s`);
  } else
    for (let i = 0; i < count; i++) {
      if (op === "start") await start();
      else if (op === "status") await call(base, headers, "GET", `/v1/executions/${runs[i].run_id}`);
      else {
        const r = runs[30 + i];
        const body = JSON.stringify({ token: r.waiting.resume_token, data: { name: "bench", score: 1 } });
        await call(base, headers, "POST", `/v1/executions/${r.run_id}/resume`, body);
      }
    }
  await new Promise((r) => setTimeout(r, 1500));
  const { profile } = await inspector.send("Profiler.stop");
  const scriptId = profile.nodes.find((n) => n.callFrame.url.endsWith("worker.js"))?.callFrame.scriptId;
  await inspector.send("Debugger.enable");
  const { scriptSource } = await inspector.send("Debugger.getScriptSource", { scriptId });
  writeFileSync(join(OUT, `${op}.worker.js`), scriptSource);
  const lines = scriptSource.split("\n");
  inspector.close();
  writeFileSync(join(OUT, `${op}.cpuprofile`), JSON.stringify(profile));
  console.log(`profile: ${join(OUT, `${op}.cpuprofile`)} (the bundle it refers to beside it)`);
  const total = (profile.endTime - profile.startTime) / 1000;
  const busy = fold(profile, (n) => (n.callFrame.functionName === "(idle)" ? "idle" : "busy"));
  console.log(
    `${op}: ${count} requests, profile ${total.toFixed(0)} ms`,
    busy.map(([k, v]) => `${k} ${(v / count).toFixed(2)} ms/op`).join(", "),
  );
  const where = (n) => `${n.callFrame.url.replace(/^.*\//, "")}:${n.callFrame.lineNumber + 1}`;
  print(
    "self time by function",
    fold(profile, (n) => `${n.callFrame.functionName || "(anonymous)"} ${where(n)}`),
    total,
  );
  const byLine = new Map();
  for (const n of profile.nodes) {
    if (!n.callFrame.url.endsWith("worker.js")) continue;
    for (const t of n.positionTicks ?? []) byLine.set(t.line, (byLine.get(t.line) ?? 0) + t.ticks);
  }
  const tickMs = total / profile.samples.length;
  print(
    "self time by line of worker.js",
    [...byLine.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([l, t]) => [`${l}: ${lines[l - 1]?.trim().slice(0, 110)}`, t * tickMs]),
    total,
    40,
  );
  print("total time (self and callees) by function", inclusive(profile), total, 60);
  print(
    "self time by file",
    fold(profile, (n) => n.callFrame.url.replace(/^.*\//, "") || n.callFrame.functionName),
    total,
    15,
  );
}
