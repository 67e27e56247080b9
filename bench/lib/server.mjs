// The Worker under test: a minified build (for its gzip size), and `wrangler dev` on a free port with
// its state on tmpfs, its own secrets and the benchmark floor switched on.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  freePort,
  killGroup,
  runWrangler,
  startWranglerDev,
  stopDevServer,
  waitForOk,
} from "../../scripts/lib/wrangler.mjs";
import { writeBenchConfig } from "./config.mjs";
import { listProcesses } from "./memory.mjs";

const TIMEOUT_MS = 180_000;

/** A fresh directory on tmpfs (/dev/shm) when there is one, else in the OS temp dir. */
export function makeStateDir() {
  const parent = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return mkdtempSync(join(parent, "scaff-bench-"));
}

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsFiles(path));
    else if (/\.m?js$/.test(name)) out.push(path);
  }
  return out;
}

/**
 * `npm run build` (wrangler deploy --dry-run --minify) into outDir instead of ./dist, so a bench never
 * touches files others may be using; returns the bundle's raw and gzip sizes in KiB.
 */
export async function buildBundle(outDir) {
  const built = await runWrangler(["deploy", "--dry-run", "--minify", "--outdir", outDir], {
    timeoutMs: TIMEOUT_MS,
  });
  if (built.code !== 0) throw new Error(`build failed:\n${built.output.trim()}`);
  const files = jsFiles(outDir);
  if (files.length === 0) throw new Error(`build wrote no .js file to ${outDir}`);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  const reported = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(built.output);
  const kib = (b) => Number((b / 1024).toFixed(1));
  return {
    files: files.length,
    raw_kib: kib(raw),
    gzip_kib: kib(gzip),
    wrangler_reported_gzip_kib: reported ? Number(reported[2]) : undefined,
  };
}

/** Applies migrations/ to the local D1 kept in stateDir. */
export async function migrate(stateDir) {
  const res = await runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
    timeoutMs: TIMEOUT_MS,
  });
  if (res.code !== 0) throw new Error(`D1 migrations failed:\n${res.output.trim()}`);
}

/** Runs one SQL statement against the local D1 in stateDir; returns its rows. */
export async function queryD1(stateDir, sql) {
  const res = await runWrangler(
    ["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", "--command", sql],
    { timeoutMs: TIMEOUT_MS },
  );
  if (res.code !== 0) throw new Error(`d1 execute failed:\n${res.output.trim()}`);
  const start = res.output.indexOf("[");
  const parsed = JSON.parse(res.output.slice(start));
  return parsed[0]?.results ?? [];
}

/**
 * The LOG_LEVEL a deployment ships with: wrangler.toml's [vars]. The bench runs the Worker with it, never a
 * quieter one (every log line is work the Worker does on each request).
 */
export function shippedLogLevel() {
  const toml = readFileSync(join(import.meta.dirname, "..", "..", "wrangler.toml"), "utf8");
  const vars = /^\[vars\]\s*$([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? "";
  const level = /^LOG_LEVEL\s*=\s*"([a-z]+)"/m.exec(vars)?.[1];
  if (!level) throw new Error("wrangler.toml [vars] has no LOG_LEVEL: the bench cannot tell what ships");
  return level;
}

/** Secrets for this bench only: a random API key and resume-token secret (never the .dev.vars ones). */
export function benchSecrets() {
  const apiKey = randomBytes(24).toString("hex");
  return { apiKey, apiKeys: `bench:${apiKey}`, tokenSecrets: `b1:${randomBytes(32).toString("hex")}` };
}

/**
 * Starts wrangler dev on a free port (never a fixed one such as 8787); resolves once /health answers.
 * Another process may take the port between the check and wrangler's bind (other servers share the
 * machine): then it tries again on new ports, three times in all.
 */
export async function startServer(stateDir, secrets, logLevel) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(stateDir, secrets, logLevel);
    } catch (e) {
      const taken = e instanceof Error && /Address already in use|EADDRINUSE/.test(e.message);
      if (!taken || attempt >= 3) throw e;
    }
  }
}

/** One attempt of startServer. Keeps wrangler's last output for errors. */
async function startOnce(stateDir, secrets, logLevel) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const vars = {
    DEV_MODE: "false",
    LOG_LEVEL: logLevel,
    API_KEYS: secrets.apiKeys,
    RESUME_TOKEN_SECRETS: secrets.tokenSecrets,
    AI_PROVIDER: "mock",
    MOCK_AI_MODE: "success",
    MOCK_AI_SEED: "bench",
    EMAIL_PROVIDER: "outbox",
    PUBLIC_BASE_URL: base,
  };
  const child = startWranglerDev({
    port,
    vars,
    stdio: "pipe",
    // The bench's own Worker: Scaff plus the floor routes (bench/floor/), never the production entry.
    extraArgs: [
      "--config",
      writeBenchConfig(),
      "--persist-to",
      stateDir,
      "--inspector-port",
      String(inspectorPort),
      // wrangler's own output level: the Worker still writes every line at LOG_LEVEL and wrangler still
      // receives and parses each one; it only does not print them to the bench's pipe.
      "--log-level",
      "warn",
    ],
  });
  const tail = [];
  const keep = (d) => {
    tail.push(String(d));
    if (tail.length > 60) tail.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  try {
    await waitForOk(`${base}/health`, child, TIMEOUT_MS);
  } catch (e) {
    await stopServer(child);
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}\n--- wrangler output ---\n${tail.join("")}`,
    );
  }
  return { child, base, port, inspectorPort, output: () => tail.join("") };
}

/** Stops wrangler and workerd (its whole process group); returns pids that had to be SIGKILLed after. */
export async function stopServer(child) {
  await stopDevServer(child);
  const pgid = child.pid;
  const left = listProcesses().filter((p) => p.pgrp === pgid);
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  killGroup(child, "SIGKILL");
  return left.map((p) => `${p.pid}:${p.comm}`);
}

/** Removes the tmpfs state directory. */
export function removeStateDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
