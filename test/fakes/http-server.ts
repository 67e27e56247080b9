import type { IncomingMessage, ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { listenOnLoopback } from "./listen.js";

/**
 * A real HTTP server on 127.0.0.1 for api_call tests. Routes:
 *   /status/:code          answers that status with a JSON body
 *   /flaky/:key/:failures  503 for the first `failures` hits of `key`, then 200
 *   /slow/:ms              answers 200 after `ms` milliseconds
 *   /echo                  echoes method, headers, query and body as JSON
 *   /text                  a plain-text body
 *   /big                   a body just over 1 MiB (`?type=json` for a JSON one, `?bytes=N` for N bytes)
 *   GET /__hits/:key       how many requests counted under `key`
 * Every request with `?key=<k>` is counted under that key (a /flaky hit under its path key), so
 * tests that run at the same time never share a counter.
 */

const BIG_BYTES = 1024 * 1024 + 512 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseEchoBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return null;
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function bigBody(json: boolean, bytes = BIG_BYTES): { type: string; text: string } {
  if (!json) return { type: "text/plain; charset=utf-8", text: "x".repeat(bytes) };
  return { type: "application/json", text: JSON.stringify({ filler: "y".repeat(bytes) }) };
}

/** Starts the fake API on an ephemeral port; its base URL reaches tests as `inject("httpServerUrl")`. */
export async function startFakeHttpServer(): Promise<StartedFake> {
  const hits = new Map<string, number>();
  const count = (key: string): number => {
    const n = (hits.get(key) ?? 0) + 1;
    hits.set(key, n);
    return n;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname
      .split("/")
      .filter((p) => p !== "")
      .map(decodeURIComponent);
    const key = url.searchParams.get("key");
    const body = await readBody(req);

    if (parts[0] === "__hits" && parts[1] !== undefined) {
      sendJson(res, 200, { key: parts[1], hits: hits.get(parts[1]) ?? 0 });
      return;
    }
    // /flaky counts under its path key (its answer depends on it); other routes under ?key=.
    const hitKey = parts[0] === "flaky" ? parts[1] : key;
    const hit = hitKey === undefined || hitKey === null ? 0 : count(hitKey);

    switch (parts[0]) {
      case "status": {
        const code = Number(parts[1]);
        if (!Number.isInteger(code) || code < 200 || code > 599) {
          sendJson(res, 400, { error: "bad status code" });
          return;
        }
        if (code === 204 || code === 304) {
          res.writeHead(code);
          res.end();
          return;
        }
        sendJson(res, code, { status: code, message: `you asked for ${code}` });
        return;
      }
      case "flaky": {
        const failures = Number(parts[2] ?? "0");
        if (hit <= failures) sendJson(res, 503, { error: "temporarily unavailable", hit });
        else sendJson(res, 200, { ok: true, hit });
        return;
      }
      case "slow": {
        const ms = Number(parts[1] ?? "0");
        const timer = setTimeout(() => sendJson(res, 200, { waited_ms: ms }), ms);
        // The client gave up (timeout): don't keep the timer or write to a closed socket.
        res.on("close", () => clearTimeout(timer));
        return;
      }
      case "echo": {
        sendJson(res, 200, {
          method: req.method,
          path: url.pathname,
          headers: req.headers,
          query: Object.fromEntries(url.searchParams),
          raw_query: url.search,
          body: parseEchoBody(body, req.headers["content-type"]),
          raw_body: body,
        });
        return;
      }
      case "text": {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-fake": "text" });
        res.end("hello, plain text");
        return;
      }
      case "big": {
        const bytes = Number(url.searchParams.get("bytes") ?? BIG_BYTES);
        const big = bigBody(url.searchParams.get("type") === "json", bytes);
        res.writeHead(200, { "content-type": big.type });
        res.end(big.text);
        return;
      }
      default:
        sendJson(res, 404, { error: "no such route", path: url.pathname });
    }
  };

  return listenOnLoopback("httpServerUrl", handle);
}

declare module "vitest" {
  export interface ProvidedContext {
    httpServerUrl: string;
  }
}
