// The Markdown report: the "Done means" table of issue 12 (each figure against its target, OVER TARGET
// when missed), every scenario as the median of its samples with the spread, errors with their first
// bodies, complete runs, rows written per transition, the index lag.
import { median, spread } from "./samples.mjs";
import { ratio } from "./stats.mjs";

/** The floors the targets are set against, and today's nearest floor of each operation (context only). */
export const TARGET_FLOOR = { start: "do-sqlite", resume: "do-sqlite", status: "do-noop" };
export const NEAREST_FLOOR = { start: "do-sqlite-new", resume: "do-sqlite", status: "do-noop" };

/** Targets (issue 12, "Done means"): ratios are op ÷ floor; ms and rows are absolute. */
export const TARGETS = {
  start: { p50: 1.5, p95: 1.8 },
  resume: { p50: 1.5, p95: 1.8 },
  status: { p50: 1.3 },
  complete_run_p50_ms: 250,
  d1_rows_per_transition: 2,
  index_lag_p99_ms: 1000,
};

const fmt = (v) => (v === undefined || v === null ? "–" : String(v));
const x = (v) => (v === undefined ? "–" : `${v}×`);
const range = (s, unit = "") => (s ? `${s.min}–${s.max}${unit}` : "–");
const verdict = (value, target) =>
  value === undefined ? "not measured" : value <= target ? "ok" : "**OVER TARGET**";

/** The scenario row of `id` in `mode`. */
const find = (results, id, mode) => results.scenarios.find((s) => s.id === id && s.mode === mode);

/** op ÷ floor on figure `k`: of the medians, and the spread of the same ratio round by round. */
function opRatio(results, op, floor, mode, k) {
  const s = find(results, op, mode);
  const f = find(results, floor, mode);
  if (!s || !f) return undefined;
  const rounds = s.samples.map((sample, i) => ratio(sample[k], f.samples[i]?.[k], 2));
  return { value: ratio(s[k], f[k], 2), spread: spread(rounds), median_of_rounds: median(rounds) };
}

/** Every figure "Done means" names, with its target and verdict. */
export function computeTargets(results) {
  const rows = [];
  for (const mode of ["closed-loop", "fixed-rate"]) {
    for (const op of ["start", "resume", "status"]) {
      for (const [fig, target] of Object.entries(TARGETS[op])) {
        const r = opRatio(results, op, TARGET_FLOOR[op], mode, `${fig}_ms`);
        rows.push({
          what: `${op} ${fig} ÷ ${find(results, TARGET_FLOOR[op], mode)?.name ?? TARGET_FLOOR[op]}`,
          mode,
          value: r?.value,
          unit: "×",
          spread: r?.spread,
          target,
          verdict: verdict(r?.value, target),
        });
      }
    }
  }
  const fixedRuns = results.complete_runs.find((r) => r.mode === "fixed-rate");
  rows.push({
    what: `complete run p50 at ${fixedRuns?.target_rate ?? "?"} runs/s (mock AI)`,
    mode: "fixed-rate",
    value: fixedRuns?.p50_ms,
    unit: " ms",
    spread: fixedRuns?.spread.p50_ms,
    target: TARGETS.complete_run_p50_ms,
    verdict: verdict(fixedRuns?.p50_ms, TARGETS.complete_run_p50_ms),
  });
  const w = results.rows_written;
  rows.push({
    what: "D1 rows written per transition (D1's meta.rows_written, index entries included; complete runs)",
    mode: "both",
    value: w?.d1_per_transition,
    unit: "",
    target: TARGETS.d1_rows_per_transition,
    verdict: verdict(w?.d1_per_transition, TARGETS.d1_rows_per_transition),
  });
  const full = results.d1_rows?.full;
  const added = full?.transitions ? Number((full.total / full.transitions).toFixed(2)) : undefined;
  rows.push({
    what: "D1 rows added per transition (rows a complete run leaves ÷ its transitions)",
    mode: "both",
    value: added,
    unit: "",
    target: TARGETS.d1_rows_per_transition,
    verdict: verdict(added, TARGETS.d1_rows_per_transition),
  });
  rows.push({
    what: "DO storage rows written per transition (mean, complete runs)",
    mode: "both",
    value: w?.do_per_transition,
    unit: "",
    target: undefined,
    verdict: "informational",
  });
  const lag = results.index_lag;
  rows.push({
    what: "index lag p99 (answer → a list answer showing that status)",
    mode: "closed-loop runs",
    value: lag?.all.p99_ms,
    unit: " ms",
    target: TARGETS.index_lag_p99_ms,
    verdict: verdict(lag?.all.p99_ms, TARGETS.index_lag_p99_ms),
  });
  return rows;
}

/** Each op ÷ today's nearest floor and ÷ bare, for context (no target). */
export function computeRatios(results) {
  const out = [];
  for (const mode of ["closed-loop", "fixed-rate"]) {
    for (const [op, floor] of Object.entries(NEAREST_FLOOR)) {
      const s = find(results, op, mode);
      const f = find(results, floor, mode);
      if (!s || !f) continue;
      out.push({
        op,
        mode,
        floor,
        p50: ratio(s.p50_ms, f.p50_ms),
        p99: ratio(s.p99_ms, f.p99_ms),
        throughput: mode === "closed-loop" ? ratio(f.rps, s.rps) : undefined,
        vs_bare_p50: ratio(s.p50_ms, find(results, "bare", mode)?.p50_ms),
      });
    }
  }
  return out;
}

function targetsSection(results) {
  return [
    "### Issue 12 “Done means” (medians of the samples; spread = the same ratio round by round, min–max)",
    "",
    "| figure | mode | value | spread | target | verdict |",
    "|---|---|---|---|---|---|",
    ...results.targets.map(
      (t) =>
        `| ${t.what} | ${t.mode} | ${t.value === undefined ? "–" : `${t.value}${t.unit}`} | ${range(t.spread, t.unit)} | ${t.target === undefined ? "–" : `≤ ${t.target}${t.unit}`} | ${t.verdict} |`,
    ),
  ];
}

const cell = (s, k) => `${fmt(s[k])} (${range(s.spread[k])})`;

function scenarioRow(s) {
  const bad = s.errors_total === 0 ? "0" : `**${s.errors_total}** (${statusList(s.statuses)})`;
  return `| ${s.name} | ${s.mode} | ${s.requests} | ${cell(s, "rps")} | ${cell(s, "p50_ms")} | ${cell(s, "p95_ms")} | ${cell(s, "p99_ms")} | ${bad} | ${fmt(s.workerd_rss_peak_mib)} |`;
}

const statusList = (statuses) =>
  Object.entries(statuses)
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");

function errorsSection(results) {
  const failing = results.scenarios.filter((s) => s.errors_total > 0);
  if (failing.length === 0) return ["", "No request got anything but a 2xx answer."];
  const lines = ["", "### Errors (every answer counts in the latencies above, 2xx or not)", ""];
  for (const s of failing) {
    lines.push(`- ${s.name}, ${s.mode}: ${s.errors_total} of ${s.requests} — ${statusList(s.statuses)}`);
    for (const b of s.first_error_bodies ?? [])
      lines.push(`  - HTTP ${b.status}: \`${b.body.replace(/`/g, "'")}\``);
    for (const m of s.first_request_errors ?? []) lines.push(`  - request error: ${m}`);
  }
  return lines;
}

function runsSection(results) {
  const lines = [
    "",
    "### Complete runs (form → ai_generate(mock) → conditional → approval)",
    "",
    "| mode | runs done / failed | runs/s | p50 ms | p95 ms | p99 ms | p50 phases: start / form / AI wait / approve (ms) | polls/run | workerd RSS peak MiB |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results.complete_runs) {
    const p = r.phases_p50_ms;
    const mode =
      r.mode === "closed-loop" ? `closed-loop, ${r.concurrency} in flight` : `fixed-rate ${r.target_rate}/s`;
    lines.push(
      `| ${mode} | ${r.runs_completed} / ${r.runs_failed_total} | ${cell(r, "runs_per_s")} | ${cell(r, "p50_ms")} | ${cell(r, "p95_ms")} | ${cell(r, "p99_ms")} | ${fmt(p.start)} / ${fmt(p.form)} / ${fmt(p.ai_wait)} / ${fmt(p.approve)} | ${fmt(r.polls_per_run)} | ${fmt(r.workerd_rss_peak_mib)} |`,
    );
  }
  for (const r of results.complete_runs.filter((c) => c.failures.length))
    lines.push("", `${r.mode} failures: ${r.failures.join("; ")}`);
  return [...lines, ...rowsLines(results)];
}

function rowsLines(results) {
  const lines = [];
  const w = results.rows_written;
  if (w) {
    lines.push(
      "",
      `Rows written while the complete runs ran (the bench Worker's meter, bench/floor/meter.ts; ${w.transitions} transitions: ${w.runs} complete runs × ${w.transitions_per_run} + ${w.lag_runs} lag-probe runs × ${w.lag_transitions_per_run}): D1 ${w.meter.d1_rows_written} rows written (D1's own meta.rows_written) in ${w.meter.d1_statements} statements (${w.meter.d1_unmetered} without meta: reads through first/raw), ${w.d1_per_transition} per transition; Durable Object storage ${w.meter.do_rows_written} rows (${w.meter.do_sql_rows_written} by SQL in ${w.meter.do_sql_statements} statements, ${w.meter.do_kv_rows_written} KV keys put or deleted), ${w.do_per_transition} per transition.`,
    );
  }
  const rows = results.d1_rows;
  const tableList = (f) =>
    Object.entries(f.tables)
      .map(([t, n]) => `${t} ${n}`)
      .join(", ");
  if (rows?.full) {
    const f = rows.full;
    lines.push(
      "",
      `D1 rows left per complete run (mean over ${f.runs} runs): ${f.total} — ${tableList(f)}; ${f.transitions} transitions (rows updated in place are not counted here; the run's own record is in its object).`,
    );
  }
  if (rows?.form) {
    const f = rows.form;
    lines.push(
      `D1 rows left per form run (start + resume, ${f.runs} runs): ${f.total} — ${tableList(f)}; ${f.transitions} transitions.`,
    );
  }
  if (rows?.error) lines.push("", `D1 rows left per run: not counted (${rows.error}).`);
  return lines;
}

/** What an operation costs in CPU, one request at a time (bench/lib/cpu.mjs); ratios to the target floors. */
function cpuSection(results) {
  const c = results.cpu_per_operation;
  if (!c) return [];
  const floorOf = { start: "floor:do-sqlite", resume: "floor:do-sqlite", status: "floor:do-noop" };
  const ratio = (id) => {
    const f = floorOf[id] && c[floorOf[id]];
    return f?.cpu_total_ms
      ? `${x(Number((c[id].cpu_total_ms / f.cpu_total_ms).toFixed(2)))} of ${floorOf[id]}`
      : "–";
  };
  return [
    "",
    `### CPU per operation (one request at a time, ${Object.values(c)[0]?.requests} each; /proc utime+stime of workerd and of wrangler's node process)`,
    "",
    "| operation | wall ms | workerd CPU ms | wrangler CPU ms | total CPU ms | total ÷ floor |",
    "|---|---|---|---|---|---|",
    ...Object.entries(c).map(
      ([id, r]) =>
        `| ${id} | ${r.wall_ms} | ${r.cpu_workerd_ms} | ${r.cpu_wrangler_ms} | ${r.cpu_total_ms} | ${ratio(id)} |`,
    ),
    "",
    "Locally every D1 call costs CPU in both processes (compare `floor:do-d1-batch` with `floor:do-sqlite`); Scaff's start and resume each owe D1 one index write, made after the answer.",
  ];
}

/**
 * Workers Paid list prices the scaling figures use (docs/scaling.md names the pricing pages): D1 rows
 * written and Durable Object SQLite rows written, USD per million, beyond the monthly allowance.
 */
export const LIST_PRICES = { d1_row_written_per_m: 1.0, do_row_written_per_m: 1.0, do_request_per_m: 0.15 };

/** What one D1 database carries and what a million transitions cost, from this run's measurements. */
function scalingSection(results) {
  const w = results.rows_written;
  const sat = results.scenarios.find((s) => s.id === "d1-batch" && s.mode === "closed-loop");
  if (!w || !sat) return [];
  const perTransition = (rows, price) => (rows === undefined ? undefined : Number((rows * price).toFixed(2)));
  const d1 = perTransition(w.d1_per_transition, LIST_PRICES.d1_row_written_per_m);
  const dox = perTransition(w.do_per_transition, LIST_PRICES.do_row_written_per_m);
  return [
    "",
    "### Scaling (docs/scaling.md)",
    "",
    `- One local D1 database at saturation: ${fmt(sat.rps)} single-upsert batches/s (\`floor: one D1 batch\`, closed-loop, ${results.params.connections} connections), the index writes one local D1 takes. Every entry into a run (a start, a resume, an AI result) owes it one, however many transitions the entry made; here ${fmt(w.meter.d1_statements)} D1 statements served ${fmt(w.transitions)} transitions.`,
    `- Cost per million transitions at list prices (LIST_PRICES in bench/lib/report.mjs): D1 index ${fmt(w.d1_per_transition)} rows → $${fmt(d1)}; the run's own record in its object ${fmt(w.do_per_transition)} rows → $${fmt(dox)}; plus Durable Object requests at $${LIST_PRICES.do_request_per_m} per million entries.`,
  ];
}

function lagLines(results) {
  const l = results.index_lag;
  if (!l) return [];
  const s = (v) => `p50 ${fmt(v.p50_ms)} ms, p99 ${fmt(v.p99_ms)} ms, max ${fmt(v.max_ms)} ms (${v.samples})`;
  return [
    "",
    `Index lag (answer → the answer of a \`GET /v1/executions?status=…\` that lists the run with that status, so it includes at least one list request; probed one run at a time during the closed-loop complete runs, poll every ${l.poll_ms} ms): waiting ${s(l.waiting)}; completed ${s(l.completed)}; list request p50 ${fmt(l.list_request.p50_ms)} ms. ${l.unlisted_after_10s} not listed within 10 s, ${l.failed} probe failures${l.failures.length ? ` (${l.failures.join("; ")})` : ""}.`,
  ];
}

/** The heap row: what one in-flight start holds in the Worker's isolate (128 MB in production). */
function inFlightLine(results) {
  const h = results.in_flight_starts;
  if (!h) return [];
  return [
    `Isolate heap per in-flight start: ${h.per_start_kib} KiB (${h.starts} concurrent starts, ${h.accepted} accepted: heap ${h.idle_heap_mib} MiB idle, peak ${h.peak_heap_mib} MiB while in flight).`,
  ];
}

/** The whole report as Markdown. */
export function toMarkdown(results) {
  const p = results.params;
  const lines = [
    `## Scaff benchmark — ${results.finished_at}`,
    "",
    `Local \`wrangler dev\` (workerd ${results.env.workerd}), 127.0.0.1, state on tmpfs; ${results.env.cpus} CPUs, load average ${results.env.loadavg_before.join(" / ")} before, ${results.env.loadavg_after.join(" / ")} after (other processes share the CPU: absolute numbers are noisy, ratios less so). The Worker runs with LOG_LEVEL=${p.log_level}, as wrangler.toml ships it. Every scenario ran ${p.samples} times, rounds alternating floors and Scaff (round by round: closed-loop floors, closed-loop Scaff, fixed-rate floors, fixed-rate Scaff); figures are the median of the samples, (min–max) their spread. Closed-loop: ${p.connections} connections, ${p.duration_s} s per sample; fixed-rate: ${p.rate} req/s (autocannon overallRate), ${p.fixed_connections} connections. Latencies count every answer, 2xx or not. Every request carries the API key, floor routes included.`,
    "",
    ...targetsSection(results),
    "",
    "### Scenarios",
    "",
    "| scenario | mode | requests | req/s | p50 ms | p95 ms | p99 ms | not 2xx | workerd RSS peak MiB |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.scenarios.map(scenarioRow),
    ...errorsSection(results),
    "",
    "### Scaff operation ÷ today's nearest floor (context, no target)",
    "",
    "| operation | mode | floor | p50 × | p99 × | floor req/s ÷ Scaff req/s | p50 × bare |",
    "|---|---|---|---|---|---|---|",
    ...results.ratios.map(
      (r) =>
        `| ${r.op} | ${r.mode} | ${r.floor} | ${x(r.p50)} | ${x(r.p99)} | ${x(r.throughput)} | ${x(r.vs_bare_p50)} |`,
    ),
    ...runsSection(results),
    ...cpuSection(results),
    ...lagLines(results),
    ...scalingSection(results),
    "",
    `Bundle (wrangler deploy --dry-run --minify): ${results.bundle.raw_kib} KiB, gzip ${results.bundle.gzip_kib} KiB (wrangler reports ${fmt(results.bundle.wrangler_reported_gzip_kib)} KiB).`,
    ...inFlightLine(results),
    `Peak memory: workerd RSS ${results.memory.peak_workerd_rss_mib} MiB (idle after start ${results.memory.idle_workerd_rss_mib} MiB); wrangler + workerd tree ${results.memory.peak_tree_rss_mib} MiB.`,
    `Total bench time ${results.elapsed_s} s.`,
  ];
  return `${lines.join("\n")}\n`;
}
