#!/usr/bin/env node
// `npm start`: everything a fresh clone needs to run Scaff locally. Creates .dev.vars, migrates the
// local D1, starts `wrangler dev`, loads examples/*.yaml and prints where everything is. Ctrl-C stops
// wrangler and workerd together. PORT (default 8787) picks the port; PERSIST_TO (default .wrangler/state)
// keeps local D1, Durable Object and queue state elsewhere (tests use a temporary directory).
import { join } from "node:path";
import { ensureDevVars, firstApiKey, readDevVars } from "./lib/dev-vars.mjs";
import { loadExamples } from "./lib/load-examples.mjs";
import {
  assertPortFree,
  killGroup,
  ROOT,
  requireWrangler,
  runWrangler,
  startWranglerDev,
  stopDevServer,
  waitForOk,
} from "./lib/wrangler.mjs";

const HEALTH_TIMEOUT_MS = 90_000;
const MIGRATIONS_TIMEOUT_MS = 120_000;
const LOCAL_URL = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/;

const log = (message) => console.log(`[scaff] ${message}`);

let server;
let stopping = false;

async function shutdown(signal) {
  if (stopping) {
    // A second Ctrl-C: no more waiting.
    if (server) killGroup(server, "SIGKILL");
    process.exit(130);
  }
  stopping = true;
  log(`${signal}: stopping wrangler dev…`);
  if (server) await stopDevServer(server);
  process.exit(signal === "SIGINT" ? 130 : 143);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    void shutdown(signal);
  });
}
// Whatever ends this process, the dev server's group must not outlive it.
process.on("exit", () => {
  if (server) killGroup(server, "SIGKILL");
});

function readPort() {
  const raw = process.env.PORT ?? "8787";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT=${raw} is not a port number`);
  return port;
}

function banner(base, apiKey) {
  const key = apiKey ?? "(none: set API_KEYS in .dev.vars)";
  return [
    "",
    "Scaff is running (mock AI, outbox mail, local D1). Ctrl-C stops it.",
    `  Console    ${base}/console   (sign in with the API key below)`,
    `  API        ${base}/v1/workflows`,
    `  Docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Health     ${base}/health`,
    `  Dev mail   ${base}/dev/mail`,
    `  API key    ${key}   (first entry of API_KEYS in .dev.vars)`,
    "",
    "Try:",
    `  curl -H "Authorization: Bearer ${apiKey ?? "<key>"}" ${base}/v1/workflows`,
    "",
  ].join("\n");
}

async function main() {
  const port = readPort();
  const base = `http://127.0.0.1:${port}`;
  requireWrangler();
  const devVarsPath = join(ROOT, ".dev.vars");
  if (ensureDevVars(devVarsPath, join(ROOT, ".dev.vars.example"))) {
    log("created .dev.vars from .dev.vars.example (local settings and a dev API key)");
  }
  const devVars = readDevVars(devVarsPath);
  const apiKey = firstApiKey(devVars.API_KEYS);
  await assertPortFree(port);

  log("applying local D1 migrations…");
  const persist = process.env.PERSIST_TO ? ["--persist-to", process.env.PERSIST_TO] : [];
  const migrated = await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], {
    timeoutMs: MIGRATIONS_TIMEOUT_MS,
  });
  if (migrated.code !== 0) throw new Error(`local D1 migrations failed:\n${migrated.output.trim()}`);
  if (stopping) return;

  const vars = { DEV_MODE: "true" };
  // Links in mails must point at this server when it runs on another port than .dev.vars says.
  const configured = devVars.PUBLIC_BASE_URL;
  if (configured === undefined || (LOCAL_URL.test(configured) && configured.replace(/\/$/, "") !== base)) {
    vars.PUBLIC_BASE_URL = base;
  }
  log(`starting wrangler dev on ${base}…`);
  // --test-scheduled: GET /__scheduled runs the minute's cron tick on demand (docs/triggers.md).
  server = startWranglerDev({ port, vars, extraArgs: [...persist, "--test-scheduled"] });
  server.on("exit", (code, signal) => {
    killGroup(server, "SIGKILL");
    if (stopping) return;
    log(`wrangler dev exited (${signal ?? `code ${code}`})`);
    process.exit(code === 0 ? 0 : 1);
  });
  await waitForOk(`${base}/health`, server, HEALTH_TIMEOUT_MS);

  if (apiKey === undefined) {
    log("API_KEYS is not set in .dev.vars: examples not loaded");
  } else {
    for (const r of await loadExamples(base, apiKey, join(ROOT, "examples"))) {
      const name = r.file.slice(ROOT.length + 1);
      log(`${name}: ${r.result}${r.id ? ` (${r.id})` : ""}${r.why ? `\n    ${r.why}` : ""}`);
    }
  }
  console.log(banner(base, apiKey));
}

main().catch(async (err) => {
  console.error(`\n[scaff] npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  stopping = true;
  if (server) await stopDevServer(server);
  process.exit(1);
});
