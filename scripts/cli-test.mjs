#!/usr/bin/env node
// `npm run test:cli`: the `scaff` CLI against a real `wrangler dev` (a free port, throwaway state,
// its own API key and token secret passed as --var, so .dev.vars is neither needed nor touched):
// validate (ok, broken file with file:line:col, --json), the errors for missing settings, a refused
// key and an unreachable server, push (created, unchanged, updated), run --wait answered through the
// API, status, events, --input, waits. The last line is "N passed, N failed"; exit 1 on any failure.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checks } from "./lib/checks.mjs";
import { freePort, ROOT, runWrangler, startWranglerDev, stopDevServer, waitForOk } from "./lib/wrangler.mjs";

const DIR = mkdtempSync(join(tmpdir(), "scaff-cli-"));
const API_KEY = "cli-test-key-0123456789";
const CLI = join(ROOT, "cli", "scaff.mjs");
const START_MS = 120_000;
const CLI_MS = 60_000;

let base;
/** The run `run --input` leaves waiting (the waits check finds its wait). */
let waitingRunId;
const { check, log, counts } = checks("cli");

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs `scaff …`; `onOutput` sees stdout as it grows. Resolves with {code, out, err}. */
function scaff(args, { env = {}, onOutput } = {}) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, SCAFF_URL: base, SCAFF_API_KEY: API_KEY, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_MS);
    child.stdout.on("data", (d) => {
      out += d;
      onOutput?.(out);
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? signal, out, err });
    });
  });
}

const show = (r) => `exit ${r.code}\n--- stdout ---\n${r.out}--- stderr ---\n${r.err}`;

async function api(method, path, json) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

async function offlineChecks() {
  await check("validate examples/*.yaml passes", async () => {
    const r = await scaff(
      ["validate", "examples/content-review.yaml", "examples/minimal.yaml", "examples/triage.yaml"],
      {
        env: { SCAFF_URL: "", SCAFF_API_KEY: "" },
      },
    );
    assert(r.code === 0 && (r.out.match(/: ok \(/g) ?? []).length === 3, show(r));
  });
  const broken = join(DIR, "broken.yaml");
  writeFileSync(
    broken,
    "id: broken\nname: Broken\nstart_step: ask\nsteps:\n  - id: ask\n    type: form\n    fields: []\n    next: nowhere\n",
  );
  await check("a broken file prints file:line:col path message and exits 1", async () => {
    const r = await scaff(["validate", broken]);
    assert(r.code === 1, show(r));
    assert(r.out.includes(`${broken}:8:11 steps[0].next no step has id "nowhere"`), show(r));
  });
  await check("validate --json reports the issues as data", async () => {
    const r = await scaff(["validate", "--json", broken]);
    const body = JSON.parse(r.out);
    assert(r.code === 1 && body.valid === false && body.files[0].issues[0].line === 8, show(r));
  });
  await check("a missing SCAFF_URL or SCAFF_API_KEY is explained, exit 2", async () => {
    const noUrl = await scaff(["status", "run_01jd8x3k2m4n5p6q7r8s9t0v1w"], { env: { SCAFF_URL: "" } });
    assert(noUrl.code === 2 && noUrl.err.includes("SCAFF_URL is not set"), show(noUrl));
    const noKey = await scaff(["push", "examples/minimal.yaml"], { env: { SCAFF_API_KEY: "" } });
    assert(noKey.code === 2 && noKey.err.includes("SCAFF_API_KEY is not set"), show(noKey));
  });
  await check("an unreachable server is explained, exit 2", async () => {
    const port = await freePort();
    const r = await scaff(["status", "run_01jd8x3k2m4n5p6q7r8s9t0v1w"], {
      env: { SCAFF_URL: `http://127.0.0.1:${port}` },
    });
    assert(r.code === 2 && r.err.includes("cannot reach the Scaff server"), show(r));
  });
  await check("usage errors exit 2 with a hint", async () => {
    const r = await scaff(["run", "minimal", "--bogus"]);
    assert(r.code === 2 && r.err.includes("scaff run --help"), show(r));
  });
}

async function pushChecks() {
  await check("a refused API key is explained, exit 2", async () => {
    const r = await scaff(["push", "examples/minimal.yaml"], { env: { SCAFF_API_KEY: "wrong" } });
    assert(r.code === 2 && r.err.includes("refused SCAFF_API_KEY (401"), show(r));
  });
  await check("push creates every example, then leaves them unchanged", async () => {
    const files = ["examples/content-review.yaml", "examples/minimal.yaml", "examples/triage.yaml"];
    const first = await scaff(["push", ...files]);
    assert(first.code === 0 && (first.out.match(/: created /g) ?? []).length === 3, show(first));
    const again = await scaff(["push", "--json", ...files]);
    const results = JSON.parse(again.out).files.map((f) => f.result);
    assert(again.code === 0 && results.every((x) => x === "unchanged"), show(again));
  });
  await check("push saves a new version when the file changed", async () => {
    const changed = join(DIR, "minimal.yaml");
    writeFileSync(
      changed,
      readFileSync(join(ROOT, "examples", "minimal.yaml"), "utf8").replace("name: Minimal", "name: Changed"),
    );
    const r = await scaff(["push", changed]);
    assert(r.code === 0 && r.out.includes("updated minimal (version 2)"), show(r));
  });
  await check("push of an invalid file prints the server's issues with line and column, exit 1", async () => {
    const r = await scaff(["push", join(DIR, "broken.yaml")]);
    assert(r.code === 1 && /broken\.yaml:8:11 steps\[0\]\.next /.test(r.out), show(r));
  });
}

async function runChecks() {
  let runId;
  await check("run minimal --wait prints the resume link and, once answered, the final status", async () => {
    let answered = false;
    const r = await scaff(["run", "minimal", "--wait"], {
      onOutput: (out) => {
        const link = /resume {2}(http\S+\/r\/\S+)/.exec(out);
        const id = /started (run_[0-9a-z]{26})/.exec(out)?.[1];
        if (!link || !id || answered) return;
        answered = true;
        runId = id;
        void answer(id);
      },
    });
    log(`scaff run minimal --wait printed:\n        ${r.out.trimEnd().replaceAll("\n", "\n        ")}`);
    assert(answered, `no resume link printed\n${show(r)}`);
    assert(r.code === 0 && /run_[0-9a-z]{26} {2}minimal v2 {2}completed/.test(r.out), show(r));
    assert(r.out.includes("run.completed"), `events were followed\n${show(r)}`);
  });
  await check("status --json and events show the completed run", async () => {
    const status = await scaff(["status", "--json", runId]);
    assert(status.code === 0 && JSON.parse(status.out).status === "completed", show(status));
    const events = await scaff(["events", runId]);
    assert(
      events.code === 0 && events.out.includes("run.resumed") && events.out.includes("run.completed"),
      show(events),
    );
    const follow = await scaff(["events", "--follow", "--json", runId]);
    const last = JSON.parse(follow.out.trim().split("\n").pop());
    assert(follow.code === 0 && last.status.status === "completed", show(follow));
  });
  await check("run --input k=v sends typed inputs; --json prints the status", async () => {
    const r = await scaff([
      "run",
      "triage",
      "--json",
      "--input",
      "ticket=Checkout is down",
      "--input",
      'tags=["urgent"]',
    ]);
    const body = JSON.parse(r.out);
    waitingRunId = body.run_id;
    assert(r.code === 0 && body.status === "waiting" && body.waiting.resume_url.includes("/r/"), show(r));
    const context = await api("GET", `/v1/executions/${body.run_id}/context`);
    assert(JSON.stringify(context.body.runtime.tags) === '["urgent"]', JSON.stringify(context.body));
  });
  await check(
    "waits lists the waiting run's open wait, as text and --json; a bad --status exits 2",
    async () => {
      // The inbox reads D1's index, which follows the run's answer by its index write: poll briefly.
      let json;
      let wait;
      for (let i = 0; i < 25 && !wait; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        json = await scaff(["waits", "--json", "--status", "open", "--workflow", "triage"]);
        wait =
          json.code === 0 ? JSON.parse(json.out).items.find((w) => w.run_id === waitingRunId) : undefined;
      }
      assert(wait?.status === "open" && wait.workflow_id === "triage", show(json));
      const text = await scaff(["waits", "--workflow", "triage", "--limit", "5"]);
      assert(text.code === 0 && text.out.includes(`${wait.wait_id}  ${waitingRunId}  triage`), show(text));
      assert(text.out.includes(`${wait.step_id} (${wait.type})  open  until ${wait.expires_at}`), show(text));
      const closed = await scaff(["waits", "--json", "--status", "closed", "--workflow", "triage"]);
      const closedIds = JSON.parse(closed.out).items.map((w) => w.run_id);
      assert(closed.code === 0 && !closedIds.includes(waitingRunId), show(closed));
      const bad = await scaff(["waits", "--status", "maybe"]);
      assert(bad.code === 2 && bad.err.includes("expected open or closed"), show(bad));
    },
  );
  await check("run of an unknown workflow fails with the API's error, exit 1", async () => {
    const r = await scaff(["run", "no-such-workflow"]);
    assert(r.code === 1 && r.err.includes("not_found"), show(r));
  });
}

/** Answers the run's form through the API, as the person with the link would. */
async function answer(runId) {
  const status = await api("GET", `/v1/executions/${runId}`);
  const token = status.body.waiting?.resume_token;
  const resumed = await api("POST", `/v1/executions/${runId}/resume`, {
    token,
    data: { name: "Ana", feedback: "ok" },
  });
  if (resumed.status !== 200) log(`resume answered ${resumed.status}: ${JSON.stringify(resumed.body)}`);
}

async function main() {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const state = ["--persist-to", join(DIR, "state")];
  await offlineChecks();
  const migrated = await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...state]);
  if (migrated.code !== 0) throw new Error(`migrations failed:\n${migrated.output}`);
  const vars = {
    API_KEYS: `cli:${API_KEY}`,
    RESUME_TOKEN_SECRETS: "k1:cli-test-resume-secret-0123456789abcdef",
    PUBLIC_BASE_URL: base,
    AI_PROVIDER: "mock",
    DEV_MODE: "true",
    LOG_LEVEL: "warn",
  };
  const server = startWranglerDev({ port, vars, extraArgs: state, stdio: "pipe" });
  let output = "";
  server.stdout.on("data", (d) => (output += d));
  server.stderr.on("data", (d) => (output += d));
  try {
    await waitForOk(`${base}/health`, server, START_MS).catch((err) => {
      throw new Error(`${err.message}\n${output.slice(-3000)}`);
    });
    log(`wrangler dev on ${base}`);
    await pushChecks();
    await runChecks();
  } finally {
    await stopDevServer(server);
  }
}

main()
  .catch((err) => {
    counts.failed++;
    log(`FAIL  setup: ${err?.message ?? err}`);
  })
  .finally(() => {
    rmSync(DIR, { recursive: true, force: true });
    console.log(`\n${counts.passed} passed, ${counts.failed} failed`);
    process.exit(counts.failed > 0 ? 1 : 0);
  });
