import { AppError } from "../lib/errors";

/** What an API key may do (docs/api.md, Roles): admin everything, operator runs, reader GET only. */
export type Role = "admin" | "operator" | "reader";
const ROLES: ReadonlySet<string> = new Set<Role>(["admin", "operator", "reader"]);

export interface ApiKey {
  name: string;
  key: string;
  role: Role;
}

/**
 * Parses API_KEYS (`name:key[:role],…`; role defaults to admin); missing or malformed config fails loudly
 * and names the variable. A key may itself contain `:` unless its last part is a role name.
 */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  if (!value || value.trim() === "") {
    throw new AppError(
      "misconfigured",
      "API_KEYS is not set: configure `name:key` pairs (see README, Configuration)",
    );
  }
  return value.split(",").map((pair, i) => {
    const idx = pair.indexOf(":");
    const name = pair.slice(0, idx).trim();
    let key = pair.slice(idx + 1).trim();
    let role: Role = "admin";
    const last = key.lastIndexOf(":");
    if (last >= 0 && ROLES.has(key.slice(last + 1).trim())) {
      role = key.slice(last + 1).trim() as Role;
      key = key.slice(0, last).trim();
    }
    if (idx <= 0 || name === "" || key.length < 8) {
      throw new AppError(
        "misconfigured",
        `API_KEYS entry ${i + 1} is malformed: expected name:key[:role] with a key of at least 8 characters`,
      );
    }
    return { name, key, role };
  });
}

/** True only when DEV_MODE is exactly "true" (local development). */
export const isDevMode = (env: Env): boolean => env.DEV_MODE === "true";

/**
 * The base URL for links, without a trailing slash. A status body may fall back to the origin its
 * request came to; an emailed link has no request, so without PUBLIC_BASE_URL it is a misconfiguration.
 */
export function publicBaseUrl(env: Env, fallback?: string): string {
  const configured = env.PUBLIC_BASE_URL?.trim();
  const base = configured || fallback;
  if (!base) {
    throw new AppError(
      "misconfigured",
      "PUBLIC_BASE_URL is not set: emailed links need the Worker's public URL, e.g. https://scaff.example.com",
    );
  }
  return base.replace(/\/+$/, "");
}
