// The Markdown report: every scenario side by side, then each Scaff operation as a multiple of its floor.
import { ratio } from "./stats.mjs";

/** Which floor each Scaff operation is measured against, and why. */
export const FLOOR_OF = {
  start: {
    floor: "do-d1-batch",
    why: "a start is one Durable Object RPC whose object writes one D1 batch (the first transition)",
  },
  resume: {
    floor: "do-d1-batch",
    why: "a resume is one Durable Object RPC whose object writes one D1 batch (the form's transition)",
  },
  status: { floor: "d1-read", why: "a status read is D1 reads and JSON, no Durable Object, no write" },
};

const fmt = (v) => (v === undefined || v === null ? "–" : String(v));
const x = (v) => (v === undefined ? "–" : `${v}×`);

function scenarioRow(s) {
  const bad = s.errors + s.timeouts + s.non2xx;
  return `| ${s.name} | ${s.mode} | ${fmt(s.requests)} | ${fmt(s.rps)} | ${fmt(s.p50_ms)} | ${fmt(s.p95_ms)} | ${fmt(s.p99_ms)} | ${bad === 0 ? "0" : `${s.errors} err, ${s.timeouts} t/o, ${s.non2xx} non-2xx`} | ${fmt(s.workerd_rss_mib?.peak_mib)} |`;
}

/** Ratios of each Scaff op to its floor, per mode: p50, p99, and floor throughput / Scaff throughput. */
export function computeRatios(results) {
  const out = [];
  for (const mode of ["closed-loop", "fixed-rate"]) {
    const find = (id) => results.scenarios.find((s) => s.id === id && s.mode === mode);
    for (const [op, { floor, why }] of Object.entries(FLOOR_OF)) {
      const s = find(op);
      const f = find(floor);
      if (!s || !f) continue;
      out.push({
        op,
        mode,
        floor,
        why,
        p50: ratio(s.p50_ms, f.p50_ms),
        p99: ratio(s.p99_ms, f.p99_ms),
        throughput: mode === "closed-loop" ? ratio(f.rps, s.rps) : undefined,
        vs_bare_p50: ratio(s.p50_ms, find("bare")?.p50_ms),
      });
    }
  }
  return out;
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
      `| ${mode} | ${r.runs_completed} / ${r.runs_failed} | ${r.runs_per_s} | ${fmt(r.p50_ms)} | ${fmt(r.p95_ms)} | ${fmt(r.p99_ms)} | ${fmt(p.start)} / ${fmt(p.form)} / ${fmt(p.ai_wait)} / ${fmt(p.approve)} | ${r.polls_per_run} | ${fmt(r.workerd_rss_mib?.peak_mib)} |`,
    );
  }
  const rows = results.d1_rows;
  if (rows?.full) {
    const f = rows.full;
    lines.push(
      "",
      `D1 rows per complete run (mean over ${f.runs} runs): ${f.total} — runs ${f.runs_rows}, run_steps ${f.run_steps}, events ${f.events}, resume_tokens ${f.resume_tokens}, mail_outbox ${f.mail_outbox}; ${f.transitions} transitions (one D1 batch each; rows updated in place are not counted).`,
    );
  }
  if (rows?.form) {
    const f = rows.form;
    lines.push(
      `D1 rows per form run (start + resume, ${f.runs} runs): ${f.total} — runs ${f.runs_rows}, run_steps ${f.run_steps}, events ${f.events}, resume_tokens ${f.resume_tokens}; ${f.transitions} transitions.`,
    );
  }
  return lines;
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
  const lines = [
    `## Scaff benchmark — ${results.finished_at}`,
    "",
    `Local \`wrangler dev\` (workerd ${results.env.workerd}), 127.0.0.1, state on tmpfs; ${results.env.cpus} CPUs, load average ${results.env.loadavg_before.join(" / ")} before, ${results.env.loadavg_after.join(" / ")} after (other processes share the CPU: treat numbers as noisy). Closed-loop: ${results.params.connections} connections, ${results.params.duration_s} s each; fixed-rate: ${results.params.rate} req/s budget (autocannon overallRate), ${results.params.fixed_connections} connections. Every request carries the API key, floor routes included.`,
    "",
    "| scenario | mode | requests | req/s | p50 ms | p95 ms | p99 ms | errors | workerd RSS peak MiB |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.scenarios.map(scenarioRow),
    "",
    "### Scaff operation ÷ floor",
    "",
    "| operation | mode | floor | p50 × | p99 × | floor req/s ÷ Scaff req/s | p50 × bare |",
    "|---|---|---|---|---|---|---|",
    ...results.ratios.map(
      (r) =>
        `| ${r.op} | ${r.mode} | ${r.floor} | ${x(r.p50)} | ${x(r.p99)} | ${x(r.throughput)} | ${x(r.vs_bare_p50)} |`,
    ),
    ...runsSection(results),
    "",
    `Bundle (wrangler deploy --dry-run --minify): ${results.bundle.raw_kib} KiB, gzip ${results.bundle.gzip_kib} KiB (wrangler reports ${fmt(results.bundle.wrangler_reported_gzip_kib)} KiB).`,
    ...inFlightLine(results),
    `Peak memory: workerd RSS ${results.memory.peak_workerd_rss_mib} MiB (idle after start ${results.memory.idle_workerd_rss_mib} MiB); wrangler + workerd tree ${results.memory.peak_tree_rss_mib} MiB.`,
    `Total bench time ${results.elapsed_s} s.`,
  ];
  return `${lines.join("\n")}\n`;
}
