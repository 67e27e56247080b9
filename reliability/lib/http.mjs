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

/** A client bound to one server base URL; `auth: false` sends no Authorization header. */
export function client(getBase) {
  async function request(method, path, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
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
      };
    } catch (e) {
      return {
        status: 0,
        contentType: "",
        text: String(e?.cause ?? e),
        body: undefined,
        ms: Date.now() - started,
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
