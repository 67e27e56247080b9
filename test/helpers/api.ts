import { exports } from "cloudflare:workers";

export const API_KEY = "test-key-123";
export const BASE = "https://scaff.test";

export interface ApiOptions {
  json?: unknown;
  yaml?: string;
  body?: BodyInit;
  key?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Calls the Worker through its real fetch handler, as an HTTP client would. */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers.authorization ??= `Bearer ${opts.key ?? API_KEY}`;
  let body: BodyInit | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["content-type"] ??= "application/json";
  }
  if (opts.yaml !== undefined) {
    body = opts.yaml;
    headers["content-type"] ??= "application/yaml";
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Asserts the error envelope shape and returns its error object. */
export function envelope(res: ApiResponse): {
  code: string;
  message: string;
  details?: Array<Record<string, unknown>>;
} {
  const b = res.body as {
    error?: { code: string; message: string; details?: Array<Record<string, unknown>> };
  };
  if (
    !b ||
    typeof b !== "object" ||
    !b.error ||
    typeof b.error.code !== "string" ||
    typeof b.error.message !== "string"
  ) {
    throw new Error(`not an error envelope (${res.status}): ${res.text.slice(0, 300)}`);
  }
  return b.error;
}
