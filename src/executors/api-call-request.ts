/** Turning an api_call step and a view into a concrete HTTP request (everything templated via lib/render). */
import type { ApiCallStep } from "../definitions/types.js";
import { renderDeep, renderText, renderUrl } from "../lib/render.js";

/** What a step's templates can read; `secrets` is added only here, at render time. */
export interface ApiCallRenderView {
  static: Record<string, unknown>;
  profile: Record<string, unknown>;
  runtime: Record<string, unknown>;
  run?: { id: string; step_id: string };
  secrets: Record<string, string>;
}

/** The rendered request, before redaction. `shownBody` is the body as a workflow wrote it (object or text). */
export interface BuiltRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
  shownBody: unknown;
}

export type BuildResult = { ok: true; request: BuiltRequest } | { ok: false; message: string };

const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function buildUrl(step: ApiCallStep, view: ApiCallRenderView): string {
  const url = new URL(renderUrl(step.url, view));
  // renderUrl checks this too; the check is repeated because a non-http(s) fetch must never happen.
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`only http and https URLs are allowed, got "${url.protocol}"`);
  }
  for (const [name, template] of Object.entries(step.query ?? {})) {
    url.searchParams.append(name, renderText(template, view));
  }
  return url.toString();
}

function buildHeaders(step: ApiCallStep, view: ApiCallRenderView): Headers {
  const headers = new Headers();
  for (const [name, template] of Object.entries(step.headers ?? {})) {
    const value = renderText(template, view);
    try {
      headers.set(name, value);
    } catch {
      // The value itself may hold a secret: name the header only.
      throw new Error(`header "${name}" has an invalid name or value after rendering`);
    }
  }
  return headers;
}

function encodeBody(rendered: unknown, headers: Headers): string | undefined {
  if (rendered === undefined || rendered === null) return undefined;
  if (typeof rendered === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8");
    return rendered;
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  return JSON.stringify(rendered);
}

/** Renders url, query, headers and body; any problem (bad template, bad URL, body on GET) is a message, not a throw. */
export function buildApiRequest(step: ApiCallStep, view: ApiCallRenderView): BuildResult {
  const method = step.method.toUpperCase();
  let url: string;
  try {
    url = buildUrl(step, view);
  } catch (err) {
    return { ok: false, message: `invalid url: ${messageOf(err)}` };
  }
  try {
    const headers = buildHeaders(step, view);
    const shownBody = step.body === undefined ? undefined : renderDeep(step.body, view);
    if (shownBody !== undefined && shownBody !== null && BODYLESS_METHODS.has(method)) {
      return { ok: false, message: `a ${method} request cannot have a body` };
    }
    const body = encodeBody(shownBody, headers);
    return { ok: true, request: { method, url, headers, body, shownBody } };
  } catch (err) {
    return { ok: false, message: messageOf(err) };
  }
}
