/** What the approval policy tests read: the links each recipient was mailed, events, the waits inbox. */
import { api } from "../helpers/api";
import { runDb } from "../helpers/run-db";
import { linkToken } from "../helpers/tokens";

/** Every email of the run as `kind:address`, oldest first, with the link token it carries. */
export async function mailsOf(runId: string): Promise<{ to: string; kind: string; token: string }[]> {
  const rows = await runDb(runId)
    .prepare(
      "SELECT kind, to_address, text_body FROM mail_outbox WHERE run_id = ? ORDER BY created_at, rowid",
    )
    .bind(runId)
    .all<{ kind: string; to_address: string; text_body: string }>();
  return rows.results.map((r) => ({ to: r.to_address, kind: r.kind, token: linkToken(r.text_body) }));
}

/** The newest link mailed to `address` on the run ("" when none was). */
export async function linkOf(runId: string, address: string): Promise<string> {
  const mine = (await mailsOf(runId)).filter((m) => m.to === address);
  return mine[mine.length - 1]?.token ?? "";
}

export interface RunEvent {
  type: string;
  step_id: string | null;
  data?: Record<string, unknown>;
}

/** The run's events of `type`, in order. */
export async function eventsOf(runId: string, type: string): Promise<RunEvent[]> {
  const res = await api<{ items: RunEvent[] }>("GET", `/v1/executions/${runId}/events?limit=500`);
  return res.body.items.filter((e) => e.type === type);
}

export interface WaitBody {
  run_id: string;
  workflow_id: string;
  step_id: string;
  type: string;
  wait_id: string;
  status: string;
  recipients: { email: string; status: string }[];
  created_at: string;
  expires_at: string;
  closed_at: string | null;
}

/** `GET /v1/waits` with the given query. */
export const listWaits = (query: string) =>
  api<{ items: WaitBody[]; next_cursor: string | null }>("GET", `/v1/waits?${query}`);
