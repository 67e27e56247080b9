// The suite's HTTP client: every answer is recorded (status, headers, parsed body) and nothing throws on a
// 4xx/5xx, so scenarios can count and judge answers. Transport failures come back as status 0.
import { SETTINGS } from "./server.mjs";

const TIMEOUT_MS = 30_000;

/** Parses a body as JSON when it is JSON; otherwise undefined. */
function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Answers no test expects from a healthy server: a 5xx, or no answer at all (status 0, a dropped
 * connection). Recorded by every client so the suite can show the server's log lines around each.
 */
export const incidents = [];
const INCIDENTS_KEPT = 200;

function noteIncident(method, path, answer, started) {
  if (answer.status !== 0 && answer.status < 500) return;
  if (incidents.length < INCIDENTS_KEPT)
    incidents.push({
      method,
      path,
      status: answer.status,
      text: answer.text.slice(0, 300),
      started,
      ms: answer.ms,
    });
}

/**
 * Requests that wrangler dev's local proxy dropped before they reached the Worker, each sent again (at most twice).
 * The proxy (not Scaff) answers 503 "Your worker restarted mid-request" when it writes a request into a
 * pooled keep-alive connection that the runtime is closing at that moment (both sides close idle
 * connections after 5 s). Only requests the Worker never logged (no line with their request id within
 * 6 s; its request line is written before the answer leaves) are re-sent, so nothing is applied twice.
 */
export const proxyDrops = [];
/**
 * Requests the Worker answered (its own log line has the status) whose answer the same proxy lost on
 * the way back: the client saw the proxy's 503. Their answer becomes the Worker's logged status with no
 * body (`proxyLost: true`), so checks judge what Scaff answered; scenarios read state back where they
 * need the body.
 */
export const proxyLost = [];
const PROXY_DROP = /Your worker restarted mid-request/;
const LOG_LINE_WAIT_MS = 6_000;
let sequence = 0;
const requestId = () => `rel-${process.pid}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * A client bound to one server base URL; `auth: false` sends no Authorization header. `answeredWith(id,
 * ms)` (optional) is the status the Worker logged for a request id, which tells proxy drops apart.
 */
export function client(getBase, { answeredWith } = {}) {
  async function request(method, path, opts = {}) {
    let answer = await send(method, path, opts);
    const resendable = typeof opts.body?.getReader !== "function"; // a stream cannot be sent twice
    // A drop can repeat when the runtime is starved: up to two re-sends of a request the Worker never saw.
    for (let resends = 0; answer.status === 503 && PROXY_DROP.test(answer.text) && answeredWith; resends++) {
      // The Worker's log line can lag behind under load: give it a while before calling it unseen.
      const logged = await answeredWith(answer.id, LOG_LINE_WAIT_MS);
      if (logged !== undefined) {
        proxyLost.push({ method, path, at: answer.started, status: logged });
        answer = { ...answer, status: logged, body: undefined, proxyLost: true };
      } else if (resendable && resends < 2) {
        proxyDrops.push({ method, path, at: answer.started });
        answer = await send(method, path, opts);
      } else break;
    }
    noteIncident(method, path, answer, answer.started);
    return answer;
  }
  async function send(method, path, opts) {
    const id = requestId();
    const headers = { "x-request-id": id, ...(opts.headers ?? {}) };
    if (opts.auth !== false && !("authorization" in headers))
      headers.authorization = `Bearer ${SETTINGS.apiKey}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["content-type"] ??= "application/json";
    }
    const started = Date.now();
    try {
      const res = await fetch(`${getBase()}${path}`, {
        method,
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
        ...(body && typeof body.getReader === "function" ? { duplex: "half" } : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        contentType: res.headers.get("content-type") ?? "",
        text,
        body: tryJson(text),
        ms: Date.now() - started,
        id,
        started,
      };
    } catch (e) {
      return {
        status: 0,
        contentType: "",
        text: String(e?.cause ?? e),
        body: undefined,
        ms: Date.now() - started,
        id,
        started,
      };
    }
  }
  return {
    request,
    get: (path, opts) => request("GET", path, opts),
    post: (path, json, opts = {}) => request("POST", path, { ...opts, json }),
    yaml: (path, yaml, method = "POST") =>
      request(method, path, { body: yaml, headers: { "content-type": "application/yaml" } }),
  };
}

/** True when a body is the error envelope `{error:{code,message}}` with string code and message. */
export function isEnvelope(body) {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof body.error === "object" &&
    body.error !== null &&
    typeof body.error.code === "string" &&
    body.error.code.length > 0 &&
    typeof body.error.message === "string"
  );
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
