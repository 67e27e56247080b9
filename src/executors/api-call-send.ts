/**
 * Sending an api_call request. Redirects are followed here, not by fetch: fetch's own handling
 * forwards custom headers (an API key) and a 307/308 body to whatever origin the server names.
 */
import { SpanKind } from "@opentelemetry/api";
import { annotateSpan, withSpan } from "../telemetry";
import type { HopCheck } from "./api-call-hosts.js";
import type { BuiltRequest } from "./api-call-request.js";
import type { ApiCallError } from "./api-call-types.js";

/** Redirects followed per attempt; one more fails it with `too_many_redirects`. */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Headers that describe the body: dropped with it when a redirect turns the request into a GET.
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];

interface Hop {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

export type Sent = { ok: true; response: Response } | { ok: false; error: ApiCallError };

/** `METHOD origin/path`: how messages name a request (never its query, which may hold data). */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

/** An api_call request's client span: where it went (never its query, which may hold data). */
function httpAttributes(hop: Hop) {
  return {
    "http.request.method": hop.method,
    "server.address": hop.url.hostname,
    "server.port": Number(hop.url.port || (hop.url.protocol === "https:" ? 443 : 80)),
    "url.scheme": hop.url.protocol.replace(":", ""),
    "url.path": hop.url.pathname,
  };
}

/** The next hop: 303 (and 301/302 after a POST) becomes a GET without a body, as browsers do. */
function redirected(hop: Hop, status: number, url: URL): Hop {
  const toGet =
    (status === 303 && hop.method !== "GET" && hop.method !== "HEAD") ||
    ((status === 301 || status === 302) && hop.method === "POST");
  if (!toGet) return { ...hop, url };
  const headers = new Headers(hop.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  return { method: "GET", url, headers, body: undefined };
}

/** Where a redirect leads, or why it is not followed (another origin, or one too many). */
function nextUrl(hop: Hop, status: number, location: string, followed: number): URL | ApiCallError {
  const from = describeRequest(hop.method, hop.url);
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return {
      code: "redirect_not_allowed",
      status,
      message: `${from} answered ${status} with an invalid Location`,
    };
  }
  if (url.origin !== hop.url.origin) {
    const message = `${from} answered ${status} with a redirect to ${url.origin}: only redirects to the same origin (${hop.url.origin}) are followed`;
    return { code: "redirect_not_allowed", status, message };
  }
  if (followed >= MAX_REDIRECTS) {
    const message = `${from} answered ${status} after ${MAX_REDIRECTS} redirects: no more are followed`;
    return { code: "too_many_redirects", status, message };
  }
  return url;
}

/**
 * Sends the request, following at most MAX_REDIRECTS redirects to the same origin (scheme, host,
 * port); `check` vets every hop before anything is sent to it. A 3xx without a Location is the answer.
 */
export async function sendRequest(
  request: BuiltRequest,
  doFetch: typeof fetch,
  signal: AbortSignal,
  check: HopCheck,
): Promise<Sent> {
  let hop: Hop = {
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    body: request.body,
  };
  for (let followed = 0; ; followed++) {
    const refused = check(hop.url);
    if (refused) return { ok: false, error: refused };
    const init = {
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      redirect: "manual",
      signal,
    } as const;
    const response = await withSpan(
      hop.method,
      { kind: SpanKind.CLIENT, attributes: httpAttributes(hop) },
      async () => {
        const answered = await doFetch(hop.url.toString(), init);
        annotateSpan({ "http.response.status_code": answered.status });
        return answered;
      },
    );
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return { ok: true, response };
    await response.body?.cancel();
    const next = nextUrl(hop, response.status, location, followed);
    if (!(next instanceof URL)) return { ok: false, error: next };
    hop = redirected(hop, response.status, next);
  }
}
