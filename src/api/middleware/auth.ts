import type { MiddlewareHandler } from "hono";
import { type ApiKey, parseApiKeys } from "../../config/env";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";
import { roleAllows } from "./roles";

const encoder = new TextEncoder();

async function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

/** Constant-time comparison: both sides are hashed to equal length first. */
async function safeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** The entry of `keys` whose key is `presented`, compared with every key so timing reveals none of them. */
export async function findApiKey(keys: readonly ApiKey[], presented: string): Promise<ApiKey | undefined> {
  let matched: ApiKey | undefined;
  for (const k of keys) {
    if ((await safeEqual(presented, k.key)) && matched === undefined) matched = k;
  }
  return matched;
}

/** Requires `Authorization: Bearer <key>` matching one of API_KEYS and a role that allows the route. */
export const apiKeyAuth = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const keys = parseApiKeys(c.env.API_KEYS);
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    c.header("WWW-Authenticate", 'Bearer realm="scaff"');
    throw new AppError("unauthorized", "Missing API key: send Authorization: Bearer <key>");
  }
  const presented = match[1];
  const matched = await findApiKey(keys, presented);
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
