/** Turning an api_call step and a view into a concrete HTTP request (everything templated via lib/render). */
import type { ApiCallStep } from "../definitions/types.js";
import { renderDeep, renderText, renderUrl, templateReads } from "../lib/render.js";

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
  /** Names of the secrets the headers and body read: where the request may go depends on them. */
  secrets: string[];
}

export type BuildResult =
  | { ok: true; request: BuiltRequest }
  | { ok: false; code: "invalid_request" | "secret_in_url"; message: string };

const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The secrets view headers and body render from: it notes every secret a template reads, including
 * through `{{#secrets}}…{{/secrets}}` and `{{secrets}}` (which reads them all).
 */
function recordingSecrets(secrets: Record<string, string>, read: Set<string>): Record<string, string> {
  return new Proxy(secrets, {
    get(target, name, receiver) {
      if (typeof name === "string" && Object.hasOwn(target, name)) read.add(name);
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
}

/** The url and query templates that read a secret, named for the message; empty when none does. */
function urlTemplatesReadingSecrets(step: ApiCallStep): string[] {
  const named: Array<[string, string]> = [["url", step.url]];
  for (const [name, template] of Object.entries(step.query ?? {})) named.push([`query.${name}`, template]);
  return named.filter(([, template]) => templateReads(template, "secrets")).map(([name]) => name);
}

// The URL renders from a view without secrets: whatever its template says, no secret can reach it.
function buildUrl(step: ApiCallStep, view: ApiCallRenderView): string {
  const urlView = { static: view.static, profile: view.profile, runtime: view.runtime, run: view.run };
  const url = new URL(renderUrl(step.url, urlView));
  // renderUrl checks this too; the check is repeated because a non-http(s) fetch must never happen.
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`only http and https URLs are allowed, got "${url.protocol}"`);
  }
  for (const [name, template] of Object.entries(step.query ?? {})) {
    url.searchParams.append(name, renderText(template, urlView));
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

/**
 * Renders url, query, headers and body; any problem (bad template, bad URL, body on GET, a secret in
 * the url or query) is a code and a message, not a throw.
 */
export function buildApiRequest(step: ApiCallStep, view: ApiCallRenderView): BuildResult {
  const method = step.method.toUpperCase();
  const inUrl = urlTemplatesReadingSecrets(step);
  if (inUrl.length > 0) {
    const message = `a secret may not appear in a URL (${inUrl.join(", ")}): send it in a header or the body`;
    return { ok: false, code: "secret_in_url", message };
  }
  let url: string;
  try {
    url = buildUrl(step, view);
  } catch (err) {
    return { ok: false, code: "invalid_request", message: `invalid url: ${messageOf(err)}` };
  }
  try {
    const read = new Set<string>();
    const secretView = { ...view, secrets: recordingSecrets(view.secrets, read) };
    const headers = buildHeaders(step, secretView);
    const shownBody = step.body === undefined ? undefined : renderDeep(step.body, secretView);
    if (shownBody !== undefined && shownBody !== null && BODYLESS_METHODS.has(method)) {
      return { ok: false, code: "invalid_request", message: `a ${method} request cannot have a body` };
    }
    const body = encodeBody(shownBody, headers);
    return { ok: true, request: { method, url, headers, body, shownBody, secrets: [...read] } };
  } catch (err) {
    return { ok: false, code: "invalid_request", message: messageOf(err) };
  }
}
