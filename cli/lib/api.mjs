// The connection to a Scaff server for the commands that need one: settings from SCAFF_URL and
// SCAFF_API_KEY, the typed client, and every way a call can go wrong turned into an error that says
// what to do about it.
import { createScaffClient } from "../../client/index.mjs";
import { ConnectionError, Failure, UsageError } from "./errors.mjs";

const REQUEST_TIMEOUT_MS = 30_000;

/** An answer of the API that is not a success: exit 1, with the server's code, message and details. */
export class ApiError extends Failure {
  constructor(status, body) {
    const error = body?.error;
    super(error ? `${error.code}: ${error.message}` : `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.details = error?.details ?? [];
  }
}

/** Reads SCAFF_URL and SCAFF_API_KEY and builds the client; a missing or odd setting is a usage error. */
export function connect(env = process.env) {
  const raw = env.SCAFF_URL?.trim();
  if (!raw) {
    throw new UsageError("SCAFF_URL is not set: it says which Scaff server to talk to", {
      hint: "export SCAFF_URL=http://127.0.0.1:8787   (the address `npm start` prints)",
    });
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`SCAFF_URL=${raw} is not a URL`, {
      hint: "for example SCAFF_URL=http://127.0.0.1:8787",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`SCAFF_URL=${raw} must start with http:// or https://`);
  }
  const apiKey = env.SCAFF_API_KEY?.trim();
  if (!apiKey) {
    throw new UsageError("SCAFF_API_KEY is not set: the API needs a key", {
      hint: "export SCAFF_API_KEY=<a key from the server's API_KEYS>   (`npm start` prints the local one)",
    });
  }
  const baseUrl = url.origin + url.pathname.replace(/\/+$/, "");
  const fetchWithTimeout = (request) => fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { baseUrl, client: createScaffClient({ baseUrl, apiKey, fetch: fetchWithTimeout }) };
}

/** Awaits one client call; resolves with its data, throws ApiError or ConnectionError otherwise. */
export async function call(conn, request) {
  let result;
  try {
    result = await request;
  } catch (err) {
    throw unreachable(conn.baseUrl, err);
  }
  const { data, error, response } = result;
  if (response.ok) return data;
  if (response.status === 401) {
    throw new ConnectionError(
      `${conn.baseUrl} refused SCAFF_API_KEY (401: ${error?.error?.message ?? "unauthorized"})`,
      {
        hint: "use a key from the server's API_KEYS; `npm start` prints the local one",
      },
    );
  }
  if (response.status === 403) {
    throw new ConnectionError(
      `SCAFF_API_KEY may not do this (403: ${error?.error?.message ?? "forbidden"})`,
      {
        hint: "use a key whose role allows it (docs/configuration.md)",
      },
    );
  }
  throw new ApiError(response.status, error);
}

function unreachable(baseUrl, err) {
  if (err instanceof SyntaxError) {
    return new ConnectionError(
      `${baseUrl} answered with something that is not JSON: is SCAFF_URL a Scaff server?`,
    );
  }
  const cause = err?.cause?.code ?? err?.cause?.message ?? err?.name ?? String(err);
  if (err?.name === "TimeoutError") {
    return new ConnectionError(`${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  }
  return new ConnectionError(`cannot reach the Scaff server at ${baseUrl} (${cause})`, {
    hint: "is it running? `npm start` serves http://127.0.0.1:8787; SCAFF_URL says where to look",
  });
}
