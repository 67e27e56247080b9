// `scaff waits`: the waits inbox (GET /v1/waits), newest first, across runs.
import { call, connect } from "./api.mjs";
import { UsageError } from "./errors.mjs";
import { emit } from "./output.mjs";

const STATUSES = new Set(["open", "closed"]);

/** The query of GET /v1/waits from the command's options; a bad one is a usage error. */
export function waitsQuery(opts) {
  if (opts.status !== undefined && !STATUSES.has(opts.status))
    throw new UsageError(`--status ${opts.status}: expected open or closed`);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100))
    throw new UsageError("--limit must be an integer from 1 to 100");
  return {
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.workflow ? { workflow_id: opts.workflow } : {}),
    ...(opts.recipient ? { recipient: opts.recipient } : {}),
    ...(limit ? { limit } : {}),
    ...(opts.cursor ? { cursor: opts.cursor } : {}),
  };
}

/** The human lines of one wait. */
export function waitLines(w) {
  const until = w.status === "open" ? `until ${w.expires_at}` : `closed ${w.closed_at ?? ""}`.trimEnd();
  const who = w.recipients.map((r) => `${r.email} (${r.status})`).join(", ");
  return [
    `${w.wait_id}  ${w.run_id}  ${w.workflow_id}  ${w.step_id} (${w.type})  ${w.status}  ${until}`,
    ...(who ? [`  recipients  ${who}`] : []),
  ];
}

export async function waitsCommand(args, opts) {
  if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`, { hint: "scaff waits --help" });
  const query = waitsQuery(opts);
  const conn = connect();
  const page = await call(conn, conn.client.GET("/v1/waits", { params: { query } }));
  emit(opts.json, page, () => [
    ...(page.items.length === 0 ? ["no waits"] : page.items.flatMap(waitLines)),
    ...(page.next_cursor ? [`more: scaff waits --cursor ${page.next_cursor}`] : []),
  ]);
}
