import type { ServerResponse } from "node:http";
import type { StartedFake } from "./index.js";
import { type Call, sendJson, startScriptedFake, tokens } from "./scripted.js";

/**
 * A fake Anthropic Messages API on 127.0.0.1 (control routes: scripted.ts). API route:
 *   POST /v1/messages   answers the scenario's next reply (400 when none)
 */

/** One scripted reply. With `status` (≠ 200) or `body` it is sent raw; otherwise as a message. */
export interface FakeAnthropicReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** The input of a tool_use block calling the requested tool (the structured answer). */
  tool?: unknown;
  /** A text block (before the tool call when both are given). */
  text?: string;
  /** Default `tool_use` with a tool call, else `end_turn`. */
  stop_reason?: string;
  usage?: { input_tokens: number; output_tokens: number };
  delayMs?: number;
}

let served = 0;

function toolName(request: Record<string, unknown>): string {
  const choice = request.tool_choice as { name?: unknown } | undefined;
  return typeof choice?.name === "string" ? choice.name : "answer";
}

function message(reply: FakeAnthropicReply, request: Record<string, unknown>): unknown {
  served++;
  const content: unknown[] = [];
  if (reply.text !== undefined) content.push({ type: "text", text: reply.text, citations: null });
  if (reply.tool !== undefined) {
    const id = `toolu_fake_${served}`;
    content.push({ type: "tool_use", id, name: toolName(request), input: reply.tool });
  }
  const output = JSON.stringify(content);
  return {
    id: `msg_fake_${served}`,
    type: "message",
    role: "assistant",
    model: typeof request.model === "string" ? request.model : "claude-fake",
    content,
    stop_reason: reply.stop_reason ?? (reply.tool !== undefined ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: reply.usage?.input_tokens ?? tokens(JSON.stringify(request.messages ?? [])),
      output_tokens: reply.usage?.output_tokens ?? tokens(output),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

async function answer(res: ServerResponse, { body, scenario, reply }: Call<FakeAnthropicReply>) {
  if (!reply) {
    const text = `fake-anthropic: no scripted reply left for scenario "${scenario}"`;
    return sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: text } });
  }
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  if ((reply.status !== undefined && reply.status !== 200) || reply.body !== undefined) {
    const status = reply.status ?? 200;
    const raw = reply.body ?? { type: "error", error: { type: "api_error", message: `fake ${status}` } };
    return sendJson(res, status, raw, reply.headers);
  }
  sendJson(res, 200, message(reply, body), reply.headers);
}

/** Starts the fake; its base URL (the SDK adds /v1) reaches tests as `inject("anthropicUrl")`. */
export function startFakeAnthropic(): Promise<StartedFake> {
  return startScriptedFake(
    "anthropicUrl",
    (method, path) => method === "POST" && path === "/v1/messages",
    answer,
    (res, url) => sendJson(res, 404, { type: "error", error: { message: `no route ${url.pathname}` } }),
  );
}

declare module "vitest" {
  export interface ProvidedContext {
    anthropicUrl: string;
  }
}
