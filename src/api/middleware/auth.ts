import type { MiddlewareHandler } from "hono";
import { type ApiKey, parseApiKeys } from "../../config/env";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";
import { roleAllows } from "./roles";

const encoder = new TextEncoder();

function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

// The configured keys' digests, computed once per isolate and API_KEYS value.
let configured: { value: string; keys: ApiKey[]; digests: Promise<ArrayBuffer[]> } | undefined;

function configuredKeys(value: string | undefined): { keys: ApiKey[]; digests: Promise<ArrayBuffer[]> } {
  if (configured?.value !== (value ?? "")) {
    const keys = parseApiKeys(value);
    configured = { value: value ?? "", keys, digests: Promise.all(keys.map((k) => digest(k.key))) };
  }
  return configured;
}

/**
 * The entry of API_KEYS (`apiKeys`) whose key is `presented`, or undefined. Digests of equal length are
 * compared in constant time against every key, so timing reveals neither the key nor which one matched.
 */
export async function findApiKey(
  apiKeys: string | undefined,
  presented: string,
): Promise<ApiKey | undefined> {
  const { keys, digests } = configuredKeys(apiKeys);
  let matched: ApiKey | undefined;
  const [mine, theirs] = await Promise.all([digest(presented), digests]);
  for (const [i, k] of keys.entries()) {
    const d = theirs[i];
    if (d && crypto.subtle.timingSafeEqual(mine, d) && matched === undefined) matched = k;
  }
  return matched;
}

/** Requires `Authorization: Bearer <key>` matching one of API_KEYS and a role that allows the route. */
export const apiKeyAuth = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    // A missing key with API_KEYS unset is still a misconfiguration: parse first, as before.
    configuredKeys(c.env.API_KEYS);
    c.header("WWW-Authenticate", 'Bearer realm="scaff"');
    throw new AppError("unauthorized", "Missing API key: send Authorization: Bearer <key>");
  }
  const matched = await findApiKey(c.env.API_KEYS, match[1]);
  if (matched === undefined) {
    c.header("WWW-Authenticate", 'Bearer realm="scaff", error="invalid_token"');
    throw new AppError("unauthorized", "Invalid API key");
  }
  const path = new URL(c.req.url).pathname;
  if (!roleAllows(matched.role, c.req.method, path)) {
    throw new AppError(
      "forbidden",
      `The API key '${matched.name}' (role ${matched.role}) may not ${c.req.method} ${path}`,
    );
  }
  c.set("principal", matched.name);
  c.set("role", matched.role);
  await next();
};
