#!/usr/bin/env node
// `npm run bench`: builds the Worker (gzip size), starts it under `wrangler dev` with state on tmpfs, the
// benchmark floor on and the shipped LOG_LEVEL, then measures in one run, side by side, the platform floor
// and Scaff's own operations, closed-loop and fixed-rate, each BENCH_SAMPLES times in alternating rounds
// (floors, Scaff, floors, Scaff…) so drift hits both; then complete runs (with the index-lag probe and the
// rows-written meter). Writes bench/results/latest.{json,md} and prints the report.
// Knobs (env): BENCH_SAMPLES (3), BENCH_DURATION (s per sample, default 4), BENCH_CONNECTIONS (10),
// BENCH_RATE (req/s, 30), BENCH_RUNS_CONCURRENCY (10), BENCH_RUNS_RATE (runs/s, 3), BENCH_IN_FLIGHT
// (concurrent starts for the heap row, 100), BENCH_CPU_REQUESTS (sequential requests per operation for
// the CPU table, 150); BENCH_ONLY=in-flight measures only the heap per in-flight
// start (and writes no results).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { cpuPerOperation } from "./lib/cpu.mjs";
import { rowsPerRun } from "./lib/d1-rows.mjs";
import { closedLoopRuns, fixedRateRuns } from "./lib/flows.mjs";
import { heapPerInFlightStart, openInspector } from "./lib/heap.mjs";
import { indexLag, LAG_WORKFLOW, poolLag } from "./lib/lag.mjs";
import { runLoad } from "./lib/load.mjs";
import { sampleMemory } from "./lib/memory.mjs";
import { computeRatios, computeTargets, toMarkdown } from "./lib/report.mjs";
import { foldRuns, foldScenario } from "./lib/samples.mjs";
import {
  FLOOR_OBJECTS,
  FORM_WORKFLOW,
  FULL_WORKFLOW,
  floorSpecs,
  resumeSpec,
  startSpec,
  statusSpec,
} from "./lib/scenarios.mjs";
import {
  benchSecrets,
  buildBundle,
  makeStateDir,
  migrate,
  removeStateDir,
  shippedLogLevel,
  startServer,
  stopServer,
} from "./lib/server.mjs";

const HERE = import.meta.dirname;
const num = (name, fallback) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const params = {
  samples: num("BENCH_SAMPLES", 3),
  duration_s: num("BENCH_DURATION", 4),
  connections: num("BENCH_CONNECTIONS", 10),
  rate: num("BENCH_RATE", 30),
  fixed_connections: 4,
  runs_concurrency: num("BENCH_RUNS_CONCURRENCY", 10),
  runs_rate: num("BENCH_RUNS_RATE", 3),
  in_flight: num("BENCH_IN_FLIGHT", 100),
  cpu_requests: num("BENCH_CPU_REQUESTS", 150),
  log_level: shippedLogLevel(),
};
/** Transitions per completed run when D1 no longer says (runs.version): today's counts of the two workflows. */
const TRANSITIONS = { [FULL_WORKFLOW]: 7, [LAG_WORKFLOW]: 2 };

const log = (m) => console.error(`[bench] ${m}`);
const load1 = () => loadavg().map((v) => Number(v.toFixed(2)));

let server;
let stateDir;
let cleaning;

async function cleanup() {
  cleaning ??= (async () => {
    if (server) {
      const leftovers = await stopServer(server.child);
      if (leftovers.length) log(`killed leftover processes: ${leftovers.join(", ")}`);
      server = undefined;
    }
    if (stateDir) removeStateDir(stateDir);
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function api(base, headers, method, path, body, contentType) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: contentType ? { ...headers, "content-type": contentType } : headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, text: await res.text() };
}

async function createWorkflows(base, headers) {
  const fixture = (id) => readFileSync(join(HERE, "fixtures", `${id}.yaml`), "utf8");
  const workflows = [
    [FORM_WORKFLOW, fixture(FORM_WORKFLOW)],
    [FULL_WORKFLOW, fixture(FULL_WORKFLOW)],
    // The index-lag probe's own copy of bench-form, so its runs are the newest of theirs on a list page.
    [LAG_WORKFLOW, fixture(FORM_WORKFLOW).replace(/^id: bench-form$/m, `id: ${LAG_WORKFLOW}`)],
  ];
  for (const [id, yaml] of workflows) {
    const res = await api(base, headers, "POST", "/v1/workflows", yaml, "application/yaml");
    if (res.status !== 201) throw new Error(`creating ${id}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  }
  const setup = await api(base, headers, "POST", "/v1/_floor/setup");
  const seeded = await api(base, headers, "POST", "/v1/_floor/d1-batch?key=hot");
  if (setup.status !== 200 || seeded.status !== 200)
    throw new Error(
      `floor endpoints answer HTTP ${setup.status}/${seeded.status}: is the bench config (bench/lib/config.mjs) in use?`,
    );
}

/** One pass over every request scenario of one mode, floors first: returns one sample per scenario. */
async function requestScenarios(base, headers, mode, memory, round) {
  const fixed = mode === "fixed-rate";
  const opts = fixed
    ? { connections: params.fixed_connections, durationS: params.duration_s, rate: params.rate }
    : { connections: params.connections, durationS: params.duration_s };
  const out = [];
  const run = async (spec) => {
    log(`round ${round}/${params.samples}, ${mode}: ${spec.name}`);
    const r = await runLoad(base, headers, spec, opts);
    out.push({ id: spec.id, ...r, workerd_rss_mib: memory.phase() });
    return r;
  };
  for (const spec of floorSpecs()) await run(spec);
  const pool = [];
  await run(startSpec(pool));
  if (pool.length === 0) throw new Error("no start succeeded: nothing to read or resume");
  await run(statusSpec(pool));
  await run(resumeSpec(pool, opts.connections));
  return out;
}

/** Every request scenario, params.samples rounds, modes alternating inside a round; rows of medians. */
async function allRequestScenarios(base, headers, memory) {
  const samples = [];
  for (let round = 1; round <= params.samples; round++) {
    for (const mode of ["closed-loop", "fixed-rate"]) {
      samples.push(...(await requestScenarios(base, headers, mode, memory, round)));
    }
  }
  const rows = [];
  for (const mode of ["closed-loop", "fixed-rate"]) {
    const ofMode = samples.filter((s) => s.mode === mode);
    for (const id of [...new Set(ofMode.map((s) => s.id))])
      rows.push(foldScenario(ofMode.filter((s) => s.id === id)));
  }
  return rows;
}

const readMeter = async (base, headers) => {
  const res = await api(base, headers, "GET", "/v1/_floor/meter");
  if (res.status !== 200) throw new Error(`meter: HTTP ${res.status}`);
  return JSON.parse(res.text);
};

/** Turns the bench Worker's meter on or off (bench/floor/meter.ts: off, it adds no work to a request). */
async function meterCounting(base, headers, state) {
  const res = await api(base, headers, "POST", `/v1/_floor/meter/${state}`);
  if (res.status !== 200) throw new Error(`meter ${state}: HTTP ${res.status}`);
}

/** The meter once it stops moving (queued work, outbox and mirroring done), at most 15 s later. */
async function settledMeter(base, headers) {
  let last = await readMeter(base, headers);
  let still = 0;
  for (let i = 0; i < 30 && still < 2; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await readMeter(base, headers);
    still = JSON.stringify(now) === JSON.stringify(last) ? still + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Complete runs, params.samples rounds of closed-loop then fixed-rate, the index-lag probe running
 * beside the closed-loop ones; the meter is read before and after (settled) for rows per transition.
 */
async function completeRuns(base, headers, memory) {
  await meterCounting(base, headers, "on");
  const before = await readMeter(base, headers);
  const closed = [];
  const fixed = [];
  const lags = [];
  for (let round = 1; round <= params.samples; round++) {
    log(
      `round ${round}/${params.samples}, complete runs: closed-loop, ${params.runs_concurrency} in flight (+ index-lag probe)…`,
    );
    let done = false;
    const lag = indexLag(base, headers, () => done);
    const c = await closedLoopRuns(base, headers, {
      concurrency: params.runs_concurrency,
      durationS: params.duration_s + 3,
    });
    done = true;
    lags.push(await lag);
    c.workerd_rss_mib = memory.phase();
    closed.push(c);
    log(`round ${round}/${params.samples}, complete runs: fixed-rate, ${params.runs_rate}/s…`);
    const f = await fixedRateRuns(base, headers, {
      rate: params.runs_rate,
      durationS: params.duration_s + 3,
      maxInFlight: 50,
    });
    f.workerd_rss_mib = memory.phase();
    fixed.push(f);
  }
  const after = await settledMeter(base, headers);
  await meterCounting(base, headers, "off");
  const meter = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
  const runs = [...closed, ...fixed].reduce((n, r) => n + r.runs_completed, 0);
  const lagRuns = lags.reduce((n, l) => n + l.runs_completed, 0);
  return { rows: [foldRuns(closed), foldRuns(fixed)], meter, runs, lagRuns, lags };
}

/** A short unmeasured pass so isolates, caches and Durable Object classes are warm. */
async function warmUp(base, headers) {
  const opts = { connections: 4, durationS: 1 };
  // Every floor object is created here, so the measured floor is warm objects only.
  for (const spec of floorSpecs()) {
    const amount = spec.setupRequest ? FLOOR_OBJECTS + 10 : 40;
    await runLoad(base, headers, { ...spec, amount }, { ...opts, durationS: 5 });
  }
  const pool = [];
  await runLoad(base, headers, { ...startSpec(pool), amount: 60 }, opts);
  await runLoad(base, headers, { ...statusSpec(pool), amount: 40 }, opts);
  await runLoad(base, headers, resumeSpec(pool, 4), opts);
}

async function main() {
  const t0 = performance.now();
  const loadBefore = load1();
  stateDir = makeStateDir();
  log(`state on ${stateDir}; building and migrating…`);
  const [bundle] = await Promise.all([buildBundle(join(stateDir, "build")), migrate(stateDir)]);
  log(`bundle ${bundle.raw_kib} KiB, gzip ${bundle.gzip_kib} KiB; starting wrangler dev…`);
  const secrets = benchSecrets();
  server = await startServer(stateDir, secrets, params.log_level);
  const memory = sampleMemory(server.child.pid);
  await new Promise((r) => setTimeout(r, 500));
  const idleMiB = memory.now();
  const headers = { authorization: `Bearer ${secrets.apiKey}`, "content-type": "application/json" };
  await createWorkflows(server.base, headers);
  log("warming up…");
  await warmUp(server.base, headers);
  log(`heap per in-flight start: ${params.in_flight} at once…`);
  const inspector = await openInspector(server.inspectorPort);
  const in_flight_starts = await heapPerInFlightStart(server.base, headers, inspector, {
    workflowId: FORM_WORKFLOW,
    starts: params.in_flight,
  });
  inspector.close();
  if (process.env.BENCH_ONLY === "in-flight") {
    console.log(JSON.stringify(in_flight_starts));
    return;
  }
  memory.phase();

  const scenarios = await allRequestScenarios(server.base, headers, memory);
  const runs = await completeRuns(server.base, headers, memory);
  log(`CPU per operation: ${params.cpu_requests} requests of each, one at a time…`);
  const cpu_per_operation = await cpuPerOperation(
    server.base,
    headers,
    server.child.pid,
    params.cpu_requests,
  );
  const mem = memory.stop();
  const wrangler = server.output();
  await stopServer(server.child);
  server = undefined;
  log("counting D1 rows…");
  const d1_rows = {};
  try {
    d1_rows.full = await rowsPerRun(stateDir, FULL_WORKFLOW);
    d1_rows.form = await rowsPerRun(stateDir, FORM_WORKFLOW);
    d1_rows.lag = await rowsPerRun(stateDir, LAG_WORKFLOW);
  } catch (e) {
    d1_rows.error = (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 3).join(" ");
  }
  const perRun = d1_rows.full?.transitions ?? TRANSITIONS[FULL_WORKFLOW];
  const perLagRun = d1_rows.lag?.transitions ?? TRANSITIONS[LAG_WORKFLOW];
  const transitions = runs.runs * perRun + runs.lagRuns * perLagRun;
  const per = (n) => (transitions ? Number((n / transitions).toFixed(2)) : undefined);
  const rows_written = {
    runs: runs.runs,
    transitions_per_run: perRun,
    lag_runs: runs.lagRuns,
    lag_transitions_per_run: perLagRun,
    transitions,
    meter: runs.meter,
    d1_per_transition: per(runs.meter.d1_rows_written),
    do_per_transition: per(runs.meter.do_rows_written),
  };
  removeStateDir(stateDir);
  stateDir = undefined;

  const results = {
    finished_at: new Date().toISOString(),
    elapsed_s: Number(((performance.now() - t0) / 1000).toFixed(1)),
    params,
    env: {
      node: process.version,
      cpus: cpus().length,
      workerd: JSON.parse(
        readFileSync(resolve(HERE, "..", "node_modules", "workerd", "package.json"), "utf8"),
      ).version,
      loadavg_before: loadBefore,
      loadavg_after: load1(),
    },
    bundle,
    memory: { ...mem, idle_workerd_rss_mib: idleMiB },
    in_flight_starts,
    scenarios,
    complete_runs: runs.rows,
    cpu_per_operation,
    rows_written,
    index_lag: poolLag(runs.lags),
    d1_rows,
    wrangler_warnings: wrangler
      .split("\n")
      .filter((l) => /error|warn/i.test(l))
      .slice(-20),
  };
  results.ratios = computeRatios(results);
  results.targets = computeTargets(results);
  const md = toMarkdown(results);
  const outDir = join(HERE, "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.md"), md);
  console.log(md);
  log(`wrote bench/results/latest.json and latest.md in ${results.elapsed_s} s`);
}

main()
  .catch(async (err) => {
    console.error(`\n[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exit(1);
  })
  .then(() => cleanup());
