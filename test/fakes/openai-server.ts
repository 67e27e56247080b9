import type { ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { type Call, sendJson, startScriptedFake, tokens } from "./scripted.js";

/**
 * A fake OpenAI-compatible API on 127.0.0.1 (control routes: scripted.ts). API routes:
 *   POST /v1/chat/completions   answers the scenario's next reply (400 when none)
 *   GET  /v1/models             a one-model list
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

let served = 0;

function completion(reply: FakeReply, request: Record<string, unknown>): unknown {
  const content = reply.refusal !== undefined ? null : (reply.content ?? JSON.stringify(reply.json ?? {}));
  served++;
  return {
    id: `chatcmpl-fake-${served}`,
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

async function answer(res: ServerResponse, { body, scenario, reply }: Call<FakeReply>): Promise<void> {
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
  sendJson(res, 200, completion(reply, body), reply.headers);
}

function other(res: ServerResponse, url: URL): void {
  if (url.pathname === "/v1/models") {
    sendJson(res, 200, {
      object: "list",
      data: [{ id: "fake-model", object: "model", owned_by: "fake" }],
    });
    return;
  }
  sendJson(res, 404, { error: { message: `fake-openai: no route ${url.pathname}` } });
}

/** Starts the fake on an ephemeral port; its base URL (without /v1) reaches tests as `inject("openaiUrl")`. */
export function startFakeOpenAI(): Promise<StartedFake> {
  return startScriptedFake(
    "openaiUrl",
    (method, path) => method === "POST" && path === "/v1/chat/completions",
    answer,
    other,
  );
}

declare module "vitest" {
  export interface ProvidedContext {
    openaiUrl: string;
  }
}
