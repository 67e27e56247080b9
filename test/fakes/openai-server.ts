import type { IncomingMessage, ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { listenOnLoopback } from "./listen.js";

/**
 * A fake OpenAI-compatible API on 127.0.0.1, driven by tests over HTTP. Every call belongs to a
 * scenario: the `x-fake-scenario` header, else the request's `model`, so test files running at the
 * same time never share replies. Routes:
 *   POST /__script   {scenario, replies: FakeReply[]}  queue replies for a scenario (appends)
 *   GET  /__requests?scenario=s                       every request body received for it, in order
 *   POST /__reset?scenario=s                          forget its replies and requests
 *   POST /v1/chat/completions                         answers the scenario's next reply (400 when none)
 *   GET  /v1/models                                   a one-model list
 */

/** One scripted reply. With `status` (≠ 200) or `body` it is sent raw; otherwise as a chat completion. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** The assistant message content; `json` is a shortcut for `JSON.stringify(json)`. */
  content?: string;
  json?: unknown;
  refusal?: string;
  finish_reason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  delayMs?: number;
}

interface Recorded {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function sendJson(
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

const tokens = (text: string): number => Math.ceil(text.length / 4);

function completion(reply: FakeReply, request: Record<string, unknown>, n: number): unknown {
  const content = reply.refusal !== undefined ? null : (reply.content ?? JSON.stringify(reply.json ?? {}));
  return {
    id: `chatcmpl-fake-${n}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof request.model === "string" ? request.model : "fake-model",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: reply.refusal ?? null },
        finish_reason: reply.finish_reason ?? "stop",
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: reply.usage?.prompt_tokens ?? tokens(JSON.stringify(request.messages ?? [])),
      completion_tokens: reply.usage?.completion_tokens ?? tokens(content ?? reply.refusal ?? ""),
      total_tokens: 0,
    },
  };
}

/** Starts the fake on an ephemeral port; its base URL (without /v1) reaches tests as `inject("openaiUrl")`. */
export async function startFakeOpenAI(): Promise<StartedFake> {
  const scripts = new Map<string, FakeReply[]>();
  const requests = new Map<string, Recorded[]>();
  let served = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    const body = parse(text);
    const queryScenario = url.searchParams.get("scenario") ?? "";

    if (url.pathname === "/__script" && req.method === "POST") {
      const scenario = String(body.scenario ?? "");
      const replies = Array.isArray(body.replies) ? (body.replies as FakeReply[]) : [];
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
    if (url.pathname === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: [{ id: "fake-model", object: "model", owned_by: "fake" }],
      });
    }
    if (url.pathname === "/v1/chat/completions" && req.method === "POST") {
      const header = req.headers["x-fake-scenario"];
      const scenario = typeof header === "string" ? header : String(body.model ?? "");
      requests.set(scenario, [
        ...(requests.get(scenario) ?? []),
        { path: url.pathname, headers: req.headers, body },
      ]);
      const reply = scripts.get(scenario)?.shift();
      if (!reply) {
        const message = `fake-openai: no scripted reply left for scenario "${scenario}"`;
        return sendJson(res, 400, { error: { message, type: "invalid_request_error", code: "no_script" } });
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if ((reply.status !== undefined && reply.status !== 200) || reply.body !== undefined) {
        const status = reply.status ?? 200;
        const raw = reply.body ?? {
          error: { message: `fake status ${status}`, type: "server_error", code: null },
        };
        return sendJson(res, status, raw, reply.headers);
      }
      served++;
      return sendJson(res, 200, completion(reply, body, served), reply.headers);
    }
    sendJson(res, 404, { error: { message: `fake-openai: no route ${req.method} ${url.pathname}` } });
  };

  return listenOnLoopback("openaiUrl", handle);
}

declare module "vitest" {
  export interface ProvidedContext {
    openaiUrl: string;
  }
}
