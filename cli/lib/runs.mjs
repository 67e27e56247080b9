// `scaff run`, `scaff status` and `scaff events`: starting a run, reading it, following it.
import { readFile } from "node:fs/promises";
import { call, connect } from "./api.mjs";
import { Failure, UsageError } from "./errors.mjs";
import { followRun, getStatus, readNewEvents, TERMINAL } from "./follow.mjs";
import { emit, emitLine, summarize } from "./output.mjs";

const RUN_ID = /^run_[0-9a-z]{26}$/;

/** `k=v` pairs into an object; a value that is valid JSON is that JSON (`n=3`, `ok=true`), else text. */
export function parsePairs(pairs, flag) {
  const out = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0)
      throw new UsageError(`${flag} ${pair}: expected key=value`, {
        hint: `${flag} topic="Durable Objects"`,
      });
    const raw = pair.slice(at + 1);
    let value = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text.
    }
    out[pair.slice(0, at)] = value;
  }
  return out;
}

async function readInputsFile(file) {
  let value;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--inputs ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--inputs ${file}: must hold a JSON object`);
  }
  return value;
}

function checkRunId(runId) {
  if (!runId)
    throw new UsageError("a run id is needed", { hint: "scaff status run_…  (scaff run prints it)" });
  if (!RUN_ID.test(runId)) throw new UsageError(`${runId} is not a run id (run_ and 26 letters or digits)`);
}

/** The human lines of a status body. */
export function statusLines(s) {
  const lines = [`${s.run_id}  ${s.workflow_id} v${s.workflow_version}  ${s.status}`];
  if (s.current_step && !TERMINAL.has(s.status)) lines.push(`  step    ${s.current_step}`);
  if (s.waiting) lines.push(...waitLines(s));
  if (s.error) lines.push(`  error   ${s.error.code}: ${s.error.message}`);
  return lines;
}

function waitLines(s) {
  const w = s.waiting;
  const what = w.type === "form" ? `a form${w.title ? ` (${w.title})` : ""}` : "an approval";
  return [`  waiting for ${what} at ${w.step_id}, until ${w.expires_at}`, `  resume  ${w.resume_url}`];
}

const print = (lines) => {
  for (const line of lines) console.log(line);
};

const eventLine = (e) =>
  [e.created_at, e.type.padEnd(15), (e.step_id ?? "").padEnd(12), summarize(e.data)].join("  ").trimEnd();

/** Follows a run, printing events and resume links; exit 1 unless it completes. */
async function follow(conn, runId, json) {
  const final = await followRun(conn, runId, {
    onEvent: (e) => (json ? emitLine({ event: e }) : console.log(eventLine(e))),
    onWait: (s) => (json ? emitLine({ waiting: s.waiting }) : print(waitLines(s))),
  });
  if (json) emitLine({ status: final });
  else print(statusLines(final));
  if (final.status !== "completed") throw new Failure(`run ${final.status}`, { quiet: true });
}

export async function runCommand(args, opts) {
  const [workflowId, ...extra] = args;
  if (!workflowId) throw new UsageError("run needs a workflow id", { hint: "scaff run minimal --wait" });
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]} (inputs go in --input k=v)`);
  const inputs = {
    ...(opts.inputs ? await readInputsFile(opts.inputs) : {}),
    ...parsePairs(opts.input ?? [], "--input"),
  };
  const profile = parsePairs(opts.profile ?? [], "--profile");
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0))
    throw new UsageError("--version must be a positive integer");
  const conn = connect();
  const body = { workflow_id: workflowId, inputs, profile, ...(version ? { version } : {}) };
  const headers = opts["idempotency-key"] ? { "idempotency-key": opts["idempotency-key"] } : {};
  const started = await call(conn, conn.client.POST("/v1/executions", { body, params: { header: headers } }));
  if (!opts.wait) {
    emit(opts.json, started, () => statusLines(started));
    if (["failed", "rejected", "cancelled"].includes(started.status))
      throw new Failure(`run ${started.status}`, { quiet: true });
    return;
  }
  if (opts.json) emitLine({ started });
  else console.log(`started ${started.run_id} (${started.workflow_id} v${started.workflow_version})`);
  await follow(conn, started.run_id, opts.json);
}

export async function statusCommand([runId], opts) {
  checkRunId(runId);
  const status = await getStatus(connect(), runId);
  emit(opts.json, status, () => statusLines(status));
}

export async function eventsCommand([runId], opts) {
  checkRunId(runId);
  const conn = connect();
  if (opts.follow) {
    await follow(conn, runId, opts.json);
    return;
  }
  const events = [];
  await readNewEvents(conn, runId, { cursor: undefined, lastId: 0 }, (e) => events.push(e));
  emit(opts.json, { run_id: runId, items: events }, () => events.map(eventLine));
}
