/**
 * The `api_call` step: one templated HTTP request with a per-attempt timeout and retries.
 *
 * Delivery is AT-LEAST-ONCE. If the Worker crashes after the remote server acted but before the
 * run recorded the result, the step runs again, and retries after a timeout or a 5xx may repeat a
 * request the server already handled. Calls with side effects should carry an idempotency key
 * the server deduplicates on, built from the run: `Idempotency-Key: "{{run.id}}-{{run.step_id}}"`.
 *
 * Behaviour users rely on:
 * - method, url, query, headers and body are Mustache templates over
 *   `{ static, profile, runtime, run, secrets }`; `secrets` exists only while rendering.
 * - only http(s) URLs; query values are appended URL-encoded to the rendered URL.
 * - secrets never appear in a URL: url and query render without them (`secret_in_url` if they try);
 *   a request whose headers or body read a secret goes only to the hosts SECRETS_ALLOWED_HOSTS
 *   lists for that secret (`secret_not_allowed`), checked on the rendered URL and on every hop.
 * - redirects are followed by hand, at most 5, to the same origin only (`redirect_not_allowed`,
 *   `too_many_redirects`); 303, and 301/302 after a POST, continue as a GET without a body.
 * - an object/array body is sent as JSON (Content-Type application/json unless set), a string as text.
 * - each attempt times out after `timeout` (default 30 s); network errors, timeouts and 5xx are
 *   retried `retry.max` times with exponential backoff and jitter; a 4xx is never retried.
 * - result `{ status, headers, body }`, body parsed when the response is JSON, `null` when empty.
 * - a 4xx fails the step unless `fail_on_status: false` (then it completes with the 4xx result);
 *   a 5xx that is still failing after the retries always fails it.
 * - a response body over 256 KiB fails the step (`response_too_large`, not retried for a 2xx/4xx)
 *   unless the step says `store: false`, which reads and keeps no body at all.
 * - every secret value is redacted (raw, URL-, JSON- and base64-encoded) from the returned request,
 *   output and errors, even when the server echoes it back.
 */
import { type ApiCallStep, DEFAULT_API_TIMEOUT_MS } from "../definitions/types.js";
import { type Backoff, backoffDelayMs } from "../lib/backoff.js";
import { MAX_STORED_RESPONSE_BYTES } from "../lib/limits";
import { redactSecrets } from "../lib/secrets.js";
import { type HopCheck, secretHopCheck } from "./api-call-hosts.js";
import { type ApiCallRenderView, type BuiltRequest, buildApiRequest } from "./api-call-request.js";
import { parseResponseBody, readCappedBody } from "./api-call-response.js";
import { describeRequest, sendRequest } from "./api-call-send.js";
import type { ApiCallError, ApiCallOutcome, ApiCallOutput, RedactedRequest } from "./api-call-types.js";

export type {
  ApiCallError,
  ApiCallErrorCode,
  ApiCallOutcome,
  ApiCallOutput,
  RedactedRequest,
} from "./api-call-types.js";

/** The run data a step renders from; `run` lets users template an idempotency key. */
export interface ApiCallView {
  static: Record<string, unknown>;
  profile: Record<string, unknown>;
  runtime: Record<string, unknown>;
  run?: { id: string; step_id: string };
}

export interface ApiCallDeps {
  /** Workflow secrets (see collectWorkflowSecrets): rendered into the request, redacted from the outcome. */
  secrets: Record<string, string>;
  /** SECRETS_ALLOWED_HOSTS as configured; unset lets no secret go anywhere. */
  allowedHosts?: string | undefined;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** In [0, 1); drives backoff jitter. */
  random?: () => number;
}

/** Retries of a failed call: 500 ms, 1 s, 2 s, ... capped at 10 s, jittered. */
export const API_CALL_BACKOFF: Backoff = { baseMs: 500, maxMs: 10_000, jitter: true };

type Attempt =
  | { kind: "done"; output: ApiCallOutput }
  | { kind: "failed"; error: ApiCallError; retryable: boolean };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const describe = (request: BuiltRequest): string => describeRequest(request.method, new URL(request.url));

async function attemptOnce(
  request: BuiltRequest,
  step: ApiCallStep,
  doFetch: typeof fetch,
  timeoutMs: number,
  check: HopCheck,
): Promise<Attempt> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  let tooLarge: boolean;
  try {
    const sent = await sendRequest(request, doFetch, signal, check);
    // Redirects and hosts refused are the same on every try: never retried.
    if (!sent.ok) return { kind: "failed", error: sent.error, retryable: false };
    response = sent.response;
    if (step.store === false) {
      await response.body?.cancel();
      ({ text, tooLarge } = { text: "", tooLarge: false });
    } else {
      ({ text, tooLarge } = await readCappedBody(response, MAX_STORED_RESPONSE_BYTES));
    }
  } catch (err) {
    if (signal.aborted) {
      const message = `${describe(request)} timed out after ${timeoutMs} ms`;
      return { kind: "failed", error: { code: "timeout", message }, retryable: true };
    }
    const reason = err instanceof Error ? err.message : String(err);
    const message = `${describe(request)} failed: ${reason}`;
    return { kind: "failed", error: { code: "network_error", message }, retryable: true };
  }

  const status = response.status;
  if (tooLarge) {
    const message = `${describe(request)} answered ${status} with a body over ${MAX_STORED_RESPONSE_BYTES} bytes (256 KiB), which is not kept; set store: false if the step does not need it`;
    // A 5xx may answer smaller next time; an oversized success will not.
    return {
      kind: "failed",
      error: { code: "response_too_large", message, status },
      retryable: status >= 500,
    };
  }
  const output: ApiCallOutput = {
    status,
    headers: Object.fromEntries(response.headers),
    body: step.store === false ? null : parseResponseBody(text, response.headers.get("content-type")),
  };
  if (status >= 500 || (status >= 400 && step.fail_on_status !== false)) {
    const message = `${describe(request)} answered ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
    return {
      kind: "failed",
      error: { code: "http_error", message, status, body: output.body },
      retryable: status >= 500,
    };
  }
  return { kind: "done", output };
}

function shownRequest(request: BuiltRequest): RedactedRequest {
  const shown: RedactedRequest = {
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(request.headers),
  };
  if (request.shownBody !== undefined) shown.body = request.shownBody;
  return shown;
}

type Prepared =
  | { ok: true; request: BuiltRequest; check: HopCheck }
  | { ok: false; error: ApiCallError; shown: RedactedRequest };

/** Builds the request and vets where it goes; a refusal here means nothing was sent. */
function prepare(step: ApiCallStep, view: ApiCallRenderView, allowedHosts: string | undefined): Prepared {
  const built = buildApiRequest(step, view);
  if (!built.ok) {
    const shown: RedactedRequest = { method: step.method, url: step.url, headers: { ...step.headers } };
    if (step.body !== undefined) shown.body = step.body;
    return { ok: false, error: { code: built.code, message: built.message }, shown };
  }
  const check = secretHopCheck(built.request.secrets, allowedHosts);
  const refused = check(new URL(built.request.url));
  if (refused) return { ok: false, error: refused, shown: shownRequest(built.request) };
  return { ok: true, request: built.request, check };
}

/** Executes an api_call step (with its retries) and reports what happened, every secret value redacted. */
export async function executeApiCall(
  step: ApiCallStep,
  view: ApiCallView,
  deps: ApiCallDeps,
): Promise<ApiCallOutcome> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  // Called as a plain function: the global fetch throws "Illegal invocation" when called as deps.fetch().
  const doFetch = deps.fetch ?? fetch;
  const started = now();
  const redact = <T>(value: T): T => redactSecrets(value, deps.secrets) as T;
  const renderView: ApiCallRenderView = { ...view, secrets: deps.secrets };

  const prepared = prepare(step, renderView, deps.allowedHosts);
  if (!prepared.ok) {
    const { error, shown } = prepared;
    return redact({ status: "failed", error, attempts: 0, request: shown, duration_ms: now() - started });
  }
  const { request, check } = prepared;
  const maxAttempts = 1 + Math.max(0, Math.floor(step.retry?.max ?? 0));
  const timeoutMs = step.timeout_ms ?? DEFAULT_API_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(request, step, doFetch, timeoutMs, check);
    if (result.kind === "done") {
      return redact({
        status: "completed",
        output: result.output,
        attempts: attempt,
        request: shownRequest(request),
        duration_ms: now() - started,
      });
    }
    if (!result.retryable || attempt >= maxAttempts) {
      const error = { ...result.error };
      if (attempt > 1) error.message = `${error.message} (after ${attempt} attempts)`;
      return redact({
        status: "failed",
        error,
        attempts: attempt,
        request: shownRequest(request),
        duration_ms: now() - started,
      });
    }
    await sleep(backoffDelayMs(API_CALL_BACKOFF, attempt, deps.random));
  }
}
