/** What the link page tests share: opening a link as a browser would, and reading what it shows. */
import { exports } from "cloudflare:workers";
import { type ApiResponse, api, BASE } from "../helpers/api";
import { query } from "../helpers/html";
import { runDb } from "../helpers/run-db";

/** The text of every element matching `selector`, joined. */
export const textOf = async (html: string, selector = "main"): Promise<string> =>
  (await query(html, selector)).map((e) => e.text).join(" ");

/** What the page's label/value lists (dl) say, as an object. */
export async function recorded(html: string): Promise<Record<string, string>> {
  const dts = await query(html, "dt");
  const dds = await query(html, "dd");
  return Object.fromEntries(dts.map((dt, i) => [dt.text, dds[i]?.text ?? ""]));
}

/** Calls a human page as a browser would, without following redirects (to see the 303 itself). */
export async function page(
  method: string,
  token: string,
  opts: { form?: Record<string, string>; headers?: Record<string, string>; query?: string } = {},
): Promise<ApiResponse<string>> {
  const res = await exports.default.fetch(
    new Request(`${BASE}/r/${token}${opts.query ?? ""}`, {
      method,
      headers: opts.headers,
      body: opts.form && method === "POST" ? new URLSearchParams(opts.form) : undefined,
      redirect: "manual",
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text, text };
}

/** The token of the link mailed to `to` for a step of a run, read from the outbox. */
export async function mailedToken(runId: string, stepId: string, to: string): Promise<string> {
  const row = await runDb(runId)
    .prepare(
      "SELECT text_body FROM mail_outbox WHERE run_id = ? AND step_id = ? AND to_address = ? AND kind = 'request'",
    )
    .bind(runId, stepId, to)
    .first<{ text_body: string }>();
  const token = /https:\/\/scaff\.test\/r\/([A-Za-z0-9_.-]+)/.exec(row?.text_body ?? "")?.[1];
  if (!token) throw new Error(`no link mailed to ${to} for ${runId}/${stepId}`);
  return token;
}

/** The run's runtime values, from the context endpoint. */
export const runtime = async (runId: string): Promise<Record<string, unknown>> =>
  (await api<{ runtime: Record<string, unknown> }>("GET", `/v1/executions/${runId}/context`)).body.runtime;
