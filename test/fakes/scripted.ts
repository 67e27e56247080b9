import type { IncomingMessage, ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { listenOnLoopback } from "./listen.js";

/**
 * What the fake model servers share: replies scripted per scenario and every request recorded, driven
 * by tests over HTTP so test files running at the same time never share replies. Control routes:
 *   POST /__script   {scenario, replies: R[]}   queue replies for a scenario (appends)
 *   GET  /__requests?scenario=s                 every request body received for it, in order
 *   POST /__reset?scenario=s                    forget its replies and requests
 */

export interface Recorded {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One API request: its parsed body and the next scripted reply of its scenario (undefined when none). */
export interface Call<R> {
  url: URL;
  body: Record<string, unknown>;
  scenario: string;
  reply: R | undefined;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A rough token count for replies that script none. */
export const tokens = (text: string): number => Math.ceil(text.length / 4);

/**
 * Starts a scripted fake: `isApi` says which requests are API calls (recorded, answered by `answer`
 * with the scenario's next reply; the scenario is `x-fake-scenario`, else the body's `model`);
 * `other` answers the rest.
 */
export function startScriptedFake<R>(
  key: string,
  isApi: (method: string, path: string) => boolean,
  answer: (res: ServerResponse, call: Call<R>) => Promise<void>,
  other: (res: ServerResponse, url: URL) => void,
): Promise<StartedFake> {
  const scripts = new Map<string, R[]>();
  const requests = new Map<string, Recorded[]>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = parse(await readBody(req));
    const queryScenario = url.searchParams.get("scenario") ?? "";
    if (url.pathname === "/__script" && req.method === "POST") {
      const scenario = String(body.scenario ?? "");
      const replies = Array.isArray(body.replies) ? (body.replies as R[]) : [];
      scripts.set(scenario, [...(scripts.get(scenario) ?? []), ...replies]);
      return sendJson(res, 200, { scenario, queued: scripts.get(scenario)?.length ?? 0 });
    }
    if (url.pathname === "/__requests") {
      return sendJson(res, 200, { scenario: queryScenario, requests: requests.get(queryScenario) ?? [] });
    }
    if (url.pathname === "/__reset") {
      scripts.delete(queryScenario);
      requests.delete(queryScenario);
      return sendJson(res, 200, { scenario: queryScenario });
    }
    if (!isApi(req.method ?? "GET", url.pathname)) return other(res, url);
    const header = req.headers["x-fake-scenario"];
    const scenario = typeof header === "string" ? header : String(body.model ?? "");
    const recorded = { path: url.pathname, headers: req.headers, body };
    requests.set(scenario, [...(requests.get(scenario) ?? []), recorded]);
    await answer(res, { url, body, scenario, reply: scripts.get(scenario)?.shift() });
  };
  return listenOnLoopback(key, handle);
}
