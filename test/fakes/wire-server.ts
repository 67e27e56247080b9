import type { IncomingMessage, ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { listenOnLoopback } from "./listen.js";

/**
 * Two real HTTP servers on 127.0.0.1 (two ports, so two origins) that record every request that
 * reaches them, for the api_call secret and redirect tests. Routes, on either server:
 *   ANY /rec/:key                        records the request, answers 200 with it as JSON
 *   ANY /redirect/:key?status=&to=<url>  records, answers `status` (default 302) with Location `to`
 *                                        (no Location without `to`)
 *   ANY /loop/:key/:n?status=            records, redirects to /loop/:key/:n+1 on the same server
 *   ANY /forms/:key                      records, answers text with the Authorization header it got
 *                                        in every encoded form (JSON, URL, form, base64 of "user:…")
 *   GET /__wire/:key                     every request recorded under `key`, on both servers, in order
 * Keys keep tests that run at the same time apart.
 */

export interface WireRecord {
  server: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const records = new Map<string, WireRecord[]>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function encodedForms(auth: string, body: string): string {
  return [
    `json=${JSON.stringify({ auth, body })}`,
    `url=${encodeURIComponent(auth)}`,
    `form=${new URLSearchParams({ auth }).toString()}`,
    `basic=Basic ${Buffer.from(`user:${auth}`).toString("base64")}`,
    `basic-url=${Buffer.from(`xy:${auth}`).toString("base64url")}`,
  ].join("\n");
}

function redirect(res: ServerResponse, status: number, location: string | null): void {
  res.writeHead(
    status,
    location === null ? { "content-type": "text/plain" } : { location, "content-type": "text/plain" },
  );
  res.end(location === null ? "no location" : `see ${location}`);
}

function handler(server: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [route, key = "", n] = url.pathname.split("/").filter((p) => p !== "");
    if (route === "__wire") {
      sendJson(res, 200, records.get(key) ?? []);
      return;
    }
    const body = await readBody(req);
    const record = {
      server,
      method: req.method ?? "",
      path: url.pathname + url.search,
      headers: req.headers,
      body,
    };
    records.set(key, [...(records.get(key) ?? []), record]);
    const status = Number(url.searchParams.get("status") ?? "302");
    if (route === "redirect") return redirect(res, status, url.searchParams.get("to"));
    if (route === "loop") return redirect(res, status, `/loop/${key}/${Number(n ?? "0") + 1}${url.search}`);
    if (route === "forms") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(encodedForms(String(req.headers.authorization ?? ""), body));
      return;
    }
    sendJson(res, route === "rec" ? 200 : 404, record);
  };
}

/** Starts one of the two wire servers; `server` names it in the records ("a" or "b"). */
export function startWireServer(key: "wireUrl" | "wireOtherUrl", server: string): Promise<StartedFake> {
  return listenOnLoopback(key, handler(server));
}

declare module "vitest" {
  export interface ProvidedContext {
    wireUrl: string;
    wireOtherUrl: string;
  }
}
