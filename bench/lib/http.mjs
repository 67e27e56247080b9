// What the bench's clients share: a pause, and one JSON call with a timeout.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One request with a JSON body (when given); answers the status and the parsed JSON (undefined if none). */
export async function call(base, headers, method, path, body, timeoutMs = 30_000) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}
