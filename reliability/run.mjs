#!/usr/bin/env node
// `npm run test:reliability`: tries to break Scaff. Starts `wrangler dev` on a free port with state
// persisted to a temp dir, then runs six scenarios (crash, races, redelivery, bad input, load, and hostile
// on a server of its own), prints
// tried / held / lost for each and a last line `N passed, N failed`; exits non-zero on anything lost.
// SCENARIOS=crash,races picks scenarios; REL_VERBOSE=1 prints every check as it is judged. The server's whole process group is killed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client, incidents, proxyDrops, proxyLost } from "./lib/http.mjs";
import { printTally, tally } from "./lib/report.mjs";
import { DevServer } from "./lib/server.mjs";
import { ALL } from "./lib/workflows.mjs";
import { badInputScenario } from "./scenarios/bad-input.mjs";
import { crashScenario } from "./scenarios/crash.mjs";
import { hostileScenario } from "./scenarios/hostile.mjs";
import { loadScenario } from "./scenarios/load.mjs";
import { racesScenario } from "./scenarios/races.mjs";
import { redeliveryScenario } from "./scenarios/redelivery.mjs";

const SCENARIOS = {
  crash: crashScenario,
  races: racesScenario,
  redelivery: redeliveryScenario,
  "bad-input": badInputScenario,
  load: loadScenario,
  hostile: hostileScenario,
};
const OVERALL_LIMIT_MS = 420_000;
const INCIDENTS_SHOWN = 5;

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const chosen = (process.env.SCENARIOS ?? Object.keys(SCENARIOS).join(","))
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const workDir = mkdtempSync(join(tmpdir(), "scaff-reliability-"));
const server = new DevServer(workDir);
const api = client(() => server.base, {
  answeredWith: (id, ms) => server.answeredWith(id, ms),
});
let cleaning;

async function cleanup() {
  cleaning ??= (async () => {
    const tree = await server.stop();
    const left = [...new Set([...tree.map(String), ...server.leftovers()])];
    server.unlinkModules();
    rmSync(workDir, { recursive: true, force: true });
    return left;
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    void cleanup().then(() => process.exit(130));
  });
}

/** Every 5xx or dropped connection the suite met outside a planned crash, with the server's lines around it. */
function printIncidents() {
  if (proxyDrops.length > 0) {
    console.log(
      `\n${proxyDrops.length} request(s) were dropped by wrangler dev's local proxy before they reached the Worker (its 5 s keep-alive race, docs/troubleshooting.md) and were sent again: ${proxyDrops
        .slice(0, 5)
        .map((d) => `${d.method} ${d.path}`)
        .join(", ")}`,
    );
  }
  if (proxyLost.length > 0) {
    console.log(
      `\n${proxyLost.length} answer(s) of the Worker were lost by the same proxy on their way back (the client saw its 503; the Worker's own log line gives the status judged): ${proxyLost
        .slice(0, 5)
        .map((d) => `${d.method} ${d.path} ${d.status}`)
        .join(", ")}`,
    );
  }
  const unplanned = incidents.filter((i) => !server.wasDown(i.started));
  if (unplanned.length === 0) return;
  console.log(
    `\n${unplanned.length} answer(s) were a 5xx or no answer at all; the server's lines around the first ones:`,
  );
  for (const i of unplanned.slice(0, INCIDENTS_SHOWN)) {
    const when = new Date(i.started).toISOString().slice(11, 23);
    console.log(`\n-- ${i.method} ${i.path} at ${when} (+${i.ms} ms): ${i.status} ${i.text.slice(0, 200)}`);
    for (const l of server.linesAround(i.started - 1_000, i.started + i.ms + 500))
      console.log(`   ${new Date(l.at).toISOString().slice(11, 23)} ${l.line.slice(0, 300)}`);
  }
}

async function main() {
  const t0 = Date.now();
  const guard = setTimeout(() => {
    console.error(`reliability: over ${OVERALL_LIMIT_MS / 1000} s, giving up`);
    void cleanup().then(() => process.exit(2));
  }, OVERALL_LIMIT_MS);
  const tallies = [];
  try {
    for (const name of chosen) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}`);
    await server.migrate();
    await server.start();
    console.log(`reliability: wrangler dev on ${server.base}, snapshot and state in ${workDir}`);
    const setup = tally("setup");
    for (const yaml of ALL) {
      const r = await api.yaml("/v1/workflows", yaml);
      setup.check(r.status === 201, `create workflow ${/id: (\S+)/.exec(yaml)?.[1]}`, {
        status: r.status,
        body: r.text,
      });
    }
    tallies.push(setup);
    for (const name of chosen) {
      const started = Date.now();
      const t = await SCENARIOS[name](server, api);
      t.note(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      tallies.push(t);
      printTally(t);
    }
  } catch (e) {
    const t = tally("runner");
    t.check(false, "the suite ran to its end", e instanceof Error ? e.stack : String(e));
    if (server.log) t.note(`wrangler output (tail): ${server.log.slice(-2000)}`);
    tallies.push(t);
    printTally(t);
  } finally {
    clearTimeout(guard);
  }
  printIncidents();
  const errors = server.errors;
  if (errors.length > 0) {
    console.log(`\nWorker error log (${errors.length} lines, first 15):`);
    for (const l of errors.slice(0, 15)) console.log(`   ${l.slice(0, 400)}`);
  }
  const left = await cleanup();
  const end = tally("cleanup");
  end.check(left.length === 0, "no wrangler, esbuild or workerd of this suite is left running", left);
  tallies.push(end);
  const passed = tallies.reduce((n, t) => n + t.held, 0);
  const failed = tallies.reduce((n, t) => n + t.lost.length, 0);
  console.log(
    `\nreliability: ${tallies.map((t) => `${t.name} ${t.held}/${t.tried}`).join(", ")} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
