#!/usr/bin/env node
// `npm run openapi:lint`: lints the OpenAPI document the app really serves. Uses OPENAPI_URL when
// set (a running server), otherwise starts `wrangler dev` on a free port with throwaway local state.
// Uses the Redocly CLI pinned in devDependencies (node_modules/.bin/redocly, no download); `.ci/run`
// runs it and counts it as one check. Errors fail it; warnings are printed only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT, startWranglerDev, stopDevServer, waitForOk } from "./lib/wrangler.mjs";

const REDOCLY = join(ROOT, "node_modules", ".bin", "redocly");
const START_TIMEOUT_MS = 90_000;
const LINT_TIMEOUT_MS = 300_000;

async function download(url, file) {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const doc = await res.json();
  if (typeof doc.openapi !== "string") throw new Error(`${url} is not an OpenAPI document`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "scaff-openapi-"));
  const file = join(dir, "openapi.json");
  let server;
  try {
    let url = process.env.OPENAPI_URL;
    if (!url) {
      const port = await freePort();
      // /openapi.json needs no secrets or migrations; its own state dir keeps the dev database untouched.
      server = startWranglerDev({ port, extraArgs: ["--persist-to", join(dir, "state")], stdio: "pipe" });
      let output = "";
      server.stdout.on("data", (d) => {
        output += d;
      });
      server.stderr.on("data", (d) => {
        output += d;
      });
      url = `http://127.0.0.1:${port}/openapi.json`;
      try {
        await waitForOk(url, server, START_TIMEOUT_MS);
      } catch (err) {
        throw new Error(`${err.message}\n--- wrangler dev output ---\n${output.slice(-4000)}`);
      }
    }
    const doc = await download(url, file);
    console.log(
      `openapi:lint: ${url} (OpenAPI ${doc.openapi}, ${Object.keys(doc.paths ?? {}).length} paths)`,
    );
    if (server) await stopDevServer(server);
    server = undefined;
    if (!existsSync(REDOCLY)) throw new Error(`${REDOCLY} not found: run \`npm install\` first`);
    const lint = spawnSync(REDOCLY, ["lint", "--format=stylish", file], {
      cwd: ROOT,
      stdio: "inherit",
      timeout: LINT_TIMEOUT_MS,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    if (lint.error) throw lint.error;
    if (lint.status !== 0) throw new Error(`redocly lint found errors (exit ${lint.status ?? lint.signal})`);
    console.log("openapi:lint: no errors");
  } finally {
    if (server) await stopDevServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`openapi:lint failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
