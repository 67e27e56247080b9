// Running the project's own wrangler for local tools: offline env, `wrangler dev` in its own process
// group (so stopping it stops workerd too), waiting for it to answer, and port checks.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
const WRANGLER = resolve(ROOT, "node_modules", ".bin", "wrangler");

/** The environment every wrangler child gets: no metrics, no fetch of Cloudflare's request data. */
export function wranglerEnv(extra = {}) {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...extra,
  };
}

/** Fails with a clear message when dependencies are not installed yet. */
export function requireWrangler() {
  if (!existsSync(WRANGLER)) {
    throw new Error(`${WRANGLER} not found: run \`npm install\` first`);
  }
  return WRANGLER;
}

/** Runs a one-shot wrangler command non-interactively; resolves with its exit code and output. */
export function runWrangler(args, { timeoutMs = 120_000, cwd = ROOT } = {}) {
  const bin = requireWrangler();
  return new Promise((done) => {
    // CI=true plus no stdin: wrangler answers its confirmation prompts with the default ("yes").
    const child = spawn(bin, args, {
      cwd,
      env: wranglerEnv({ CI: "true" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      output += `\n(timed out after ${timeoutMs / 1000} s)`;
      killGroup(child, "SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      done({ code: 1, output: `${output}\n${err.message}` });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

/** Starts `wrangler dev` on 127.0.0.1:port as the leader of a new process group. */
export function startWranglerDev({ port, vars = {}, extraArgs = [], stdio = "inherit" }) {
  const bin = requireWrangler();
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), ...extraArgs];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  // stdin is not a TTY, so wrangler shows no hotkeys and never reads from the terminal.
  const out = stdio === "inherit" ? "inherit" : "pipe";
  return spawn(bin, args, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", out, out], detached: true });
}

/** Signals the child's whole process group (wrangler and the workerd it started). */
export function killGroup(child, signal = "SIGTERM") {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Stops a dev server: SIGTERM to its group, then SIGKILL to what is left after graceMs. */
export function stopDevServer(child, graceMs = 5_000) {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup(child, "SIGKILL");
      done();
      return;
    }
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      // workerd may outlive wrangler for a moment; nothing of the group may stay behind.
      killGroup(child, "SIGKILL");
      done();
    });
    killGroup(child, "SIGTERM");
  });
}

/** Resolves once `url` answers 200; rejects if the child exits first or the time runs out. */
export async function waitForOk(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error("wrangler dev exited before the server answered (see its output above)");
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer 200 within ${Math.round(timeoutMs / 1000)} s`);
}

/** Throws a clear error when something already listens on 127.0.0.1:port. */
export function assertPortFree(port) {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once("error", (err) => {
      fail(
        err.code === "EADDRINUSE"
          ? new Error(
              `port ${port} on 127.0.0.1 is already in use: stop that server or set PORT=<other port>`,
            )
          : err,
      );
    });
    server.listen(port, "127.0.0.1", () => server.close(() => done()));
  });
}

/** A port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}
