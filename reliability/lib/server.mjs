// A throwaway Scaff server for the reliability suite: `wrangler dev` on a free port with state persisted
// to a temp dir, started as the leader of its own process group so the whole tree (wrangler, workerd,
// esbuild) can be killed together, and restartable on the same persisted state after a SIGKILL.
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import {
  freePort,
  killGroup,
  ROOT,
  requireWrangler,
  runWrangler,
  waitForOk,
  wranglerEnv,
} from "../../scripts/lib/wrangler.mjs";

const START_TIMEOUT_MS = 90_000;
const LOG_TAIL_CHARS = 8_000;
/** Server log lines kept with their arrival time, so a failed request can be shown with its context. */
const LOG_LINES_KEPT = 20_000;
/** Requests already on their way when the suite kills the server fail by design: they count as down time. */
const KILL_GRACE_MS = 2_000;

/** Credentials and settings the suite passes to the Worker with --var (nothing read from .dev.vars). */
export const SETTINGS = {
  apiKey: "rel-key-0123456789abcdef",
  tokenKid: "rel1",
  tokenSecret: "reliability-suite-secret-0123456789-abcdefghij",
};

function vars(base) {
  return {
    API_KEYS: `reliability:${SETTINGS.apiKey}`,
    RESUME_TOKEN_SECRETS: `${SETTINGS.tokenKid}:${SETTINGS.tokenSecret}`,
    AI_PROVIDER: "mock",
    MOCK_AI_MODE: "success",
    DEV_MODE: "true",
    // info: the Worker logs one line per request with its request id, which proves what reached it.
    LOG_LEVEL: "info",
    PUBLIC_BASE_URL: base,
    EMAIL_PROVIDER: "outbox",
  };
}

const ESC = String.fromCharCode(27);
/** Drops terminal colour codes from a log line. */
const stripAnsi = (line) =>
  line
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
    .join("");

/** Pids of every descendant of `pid`, read from /proc (Linux). */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: fields start after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    for (const c of children.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** The command name of a pid, or undefined when it is gone. */
export function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** True while a pid exists and is not a zombie (a zombie is dead, only not yet reaped by its parent). */
const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

/** The files the Worker is built from, copied so concurrent edits in the work tree never reload it. */
const SNAPSHOT = [
  "src",
  "assets",
  "schemas",
  "migrations",
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  "worker-configuration.d.ts",
];

/**
 * Copies the project's sources into `dir` (node_modules linked). `wrangler dev` watches its sources and
 * restarts the Worker on any change, answering in-flight requests 503; a snapshot keeps the suite stable
 * while others edit the tree.
 */
export function snapshotProject(dir) {
  for (const entry of SNAPSHOT) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
}

/** Runs a one-shot wrangler command in `cwd` (the snapshot); resolves with its exit code and output. */
const wrangler = (cwd, args, timeoutMs) => runWrangler(args, { cwd, timeoutMs });

/** One wrangler dev server over a project snapshot and a persisted state dir; start/crash/stop may repeat. */
export class DevServer {
  /** `vars` are added to (or override) the suite's settings for this server. */
  constructor(workDir, { vars: extra = {} } = {}) {
    this.extraVars = extra;
    this.root = join(workDir, "project");
    this.persistDir = join(workDir, "state");
    snapshotProject(this.root);
    this.child = undefined;
    this.log = "";
    /** Error lines the Worker logged (unhandled errors with their stacks), across restarts. */
    this.errors = [];
    /** Every output line of wrangler and workerd with its arrival time (the last LOG_LINES_KEPT). */
    this.lines = [];
    /** When wrangler (re)started its local runtime: once per start(), more means workerd was replaced. */
    this.reloads = [];
    /** Request id → status for every request the Worker itself logged: the requests that reached it. */
    this.answered = new Map();
    /** [from, to] epoch ms while the suite itself had the server down (crash() until start() answered). */
    this.downWindows = [];
    this.port = undefined;
    this.base = undefined;
  }

  /** Applies the D1 migrations to the persisted local database. */
  async migrate() {
    const r = await wrangler(
      this.root,
      ["d1", "migrations", "apply", "DB", "--local", "--persist-to", this.persistDir],
      120_000,
    );
    if (r.code !== 0) throw new Error(`migrations failed:\n${r.output.slice(-LOG_TAIL_CHARS)}`);
  }

  /** Starts wrangler dev on a free port and waits for /health. */
  async start() {
    this.port ??= await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.log = "";
    const args = [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--persist-to",
      this.persistDir,
      // log: the Worker's own console lines (one JSON line per request with its id and status) besides
      // wrangler's request lines and the runtime's warnings and errors, so the
      // lines around a failed request explain it (see linesAround).
      "--log-level",
      "log",
    ];
    for (const [k, v] of Object.entries({ ...vars(this.base), ...this.extraVars }))
      args.push("--var", `${k}:${v}`);
    // Its own process group (detached), so the whole tree can be signalled at once.
    const child = spawn(requireWrangler(), args, {
      cwd: this.root,
      env: wranglerEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const keep = (d) => {
      this.log = (this.log + d).slice(-LOG_TAIL_CHARS * 4);
      const at = Date.now();
      for (const raw of String(d).split("\n")) {
        const line = stripAnsi(raw).trimEnd();
        if (line.trim() === "") continue;
        this.lines.push({ at, line });
        if (/ERROR|Uncaught|restarted/.test(line) && this.errors.length < 200) this.errors.push(line.trim());
        if (/Starting local server|Reloading local server/.test(line)) this.reloads.push(at);
        const seen = /"msg":"request","request_id":"([^"]+)".*?"status":(\d+)/.exec(line);
        if (seen) this.answered.set(seen[1], Number(seen[2]));
      }
      if (this.lines.length > LOG_LINES_KEPT) this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    this.child = child;
    try {
      await waitForOk(`${this.base}/health`, child, START_TIMEOUT_MS);
      const open = this.downWindows.at(-1);
      if (open && open[1] === Number.POSITIVE_INFINITY) open[1] = Date.now();
    } catch (e) {
      throw new Error(`${e.message}\n--- wrangler output ---\n${this.log.slice(-LOG_TAIL_CHARS)}`);
    }
  }

  /** The status the Worker logged for this request id (waiting up to `waitMs` for the line), or undefined. */
  async answeredWith(id, waitMs = 1_500) {
    const deadline = Date.now() + waitMs;
    while (!this.answered.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.answered.get(id);
  }

  /** Whether the Worker logged a request with this id: whether it reached the Worker at all. */
  async reachedWorker(id, waitMs) {
    return (await this.answeredWith(id, waitMs)) !== undefined;
  }

  /** True when `at` falls in a time the suite itself had the server down. */
  wasDown(at) {
    return this.downWindows.some(([from, to]) => at >= from && at <= to);
  }

  /** The server's output lines from `fromMs` to `toMs` (epoch ms), at most `max` of them. */
  linesAround(fromMs, toMs, max = 40) {
    return this.lines.filter((l) => l.at >= fromMs && l.at <= toMs).slice(-max);
  }

  /** workerd pids under this server's wrangler. */
  workerdPids() {
    if (!this.child?.pid) return [];
    return descendants(this.child.pid).filter((p) => commOf(p) === "workerd");
  }

  /** SIGKILLs workerd and wrangler (no graceful shutdown) and waits until they are gone. Returns what was killed. */
  async crash() {
    const child = this.child;
    if (!child?.pid) return { workerd: [], wrangler: undefined };
    this.downWindows.push([Date.now() - KILL_GRACE_MS, Number.POSITIVE_INFINITY]);
    const tree = descendants(child.pid);
    const workerd = tree.filter((p) => commOf(p) === "workerd");
    for (const p of workerd) process.kill(p, "SIGKILL");
    process.kill(child.pid, "SIGKILL");
    killGroup(child, "SIGKILL"); // helpers such as esbuild
    await this.#waitGone([child.pid, ...tree]);
    this.child = undefined;
    return { workerd, wrangler: child.pid };
  }

  /**
   * Live processes (any, not only this run's tree) working in this server's snapshot: wrangler, esbuild
   * and workerd all run there, so this finds leftovers even if they were orphaned. Returns "pid comm".
   */
  leftovers() {
    const out = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readlinkSync(`/proc/${entry}/cwd`).startsWith(this.root) && alive(Number(entry)))
          out.push(`${entry} ${commOf(Number(entry))}`);
      } catch {
        // gone, or not ours to inspect
      }
    }
    return out;
  }

  /** Removes the node_modules link of the snapshot (before the work dir is deleted). */
  unlinkModules() {
    try {
      unlinkSync(join(this.root, "node_modules"));
    } catch {
      // not there
    }
  }

  /** Stops the whole process group; returns pids that were still alive afterwards (should be none). */
  async stop() {
    const child = this.child;
    if (!child?.pid) return [];
    const tree = [child.pid, ...descendants(child.pid)];
    killGroup(child, "SIGTERM");
    const left = await this.#waitGone(tree, 5_000);
    if (left.length > 0) {
      killGroup(child, "SIGKILL");
      for (const p of left) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.child = undefined;
    return this.#waitGone(tree, 5_000);
  }

  async #waitGone(pids, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let left = pids.filter(alive);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = left.filter(alive);
    }
    return left;
  }
}
