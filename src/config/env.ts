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

/** One entry of SECRETS_ALLOWED_HOSTS: a hostname (or `*.domain` suffix) and, optionally, one port. */
export interface HostRule {
  /** Normalised like URL.hostname (lowercase, punycode, IPv6 in brackets). */
  host: string;
  /** True for `*.domain`: any subdomain of `host`, not `host` itself. */
  subdomains: boolean;
  /** The only port allowed; undefined allows any port. */
  port?: number;
}

/** Secret name → the hosts it may be sent to. A secret with no entry may be sent nowhere. */
export type SecretHosts = ReadonlyMap<string, readonly HostRule[]>;

const SECRET_NAME = /^[A-Za-z0-9_-]+$/;
const HOST_AND_PORT = /^(\*\.)?(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

function parseHostRule(text: string, where: string): HostRule {
  const fail = (why: string): never => {
    throw new AppError("misconfigured", `SECRETS_ALLOWED_HOSTS ${where}: ${why}`);
  };
  const match = HOST_AND_PORT.exec(text);
  const name = match?.[2] ?? "";
  // Anything URL syntax would read as more than a host (scheme, path, user, query) is refused.
  if (!match || /[\s/?#@\\*%]/.test(name)) fail(`"${text}" is not a host, host:port or *.domain`);
  let host = "";
  try {
    host = new URL(`http://${name}`).hostname;
  } catch {
    fail(`"${text}" is not a valid host name`);
  }
  if (host === "" || host.endsWith(".")) fail(`"${text}" is not a valid host name`);
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65_535)) fail(`port ${port} is out of range`);
  const rule: HostRule = { host, subdomains: match?.[1] !== undefined };
  if (port !== undefined) rule.port = port;
  return rule;
}

/**
 * Parses SECRETS_ALLOWED_HOSTS (`NAME=host[,host…];NAME2=host`; a host is `host` (any port),
 * `host:port` or `*.domain`). Unset or empty allows no secret anywhere; a malformed value is
 * AppError("misconfigured") naming the entry, never guessed.
 */
export function parseSecretsAllowedHosts(value: string | undefined): SecretHosts {
  const hosts = new Map<string, HostRule[]>();
  const entries = (value ?? "").split(";").map((entry) => entry.trim());
  entries.forEach((entry, i) => {
    if (entry === "") return;
    const where = `entry ${i + 1}`;
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq).trim();
    if (eq <= 0 || !SECRET_NAME.test(name)) {
      throw new AppError(
        "misconfigured",
        `SECRETS_ALLOWED_HOSTS ${where} is malformed: expected NAME=host[,host…]`,
      );
    }
    if (hosts.has(name)) {
      throw new AppError(
        "misconfigured",
        `SECRETS_ALLOWED_HOSTS names ${name} twice: list its hosts in one entry`,
      );
    }
    const list = entry
      .slice(eq + 1)
      .split(",")
      .map((host) => host.trim());
    if (list.some((host) => host === "")) {
      throw new AppError("misconfigured", `SECRETS_ALLOWED_HOSTS ${where} (${name}) has an empty host`);
    }
    hosts.set(
      name,
      list.map((host) => parseHostRule(host, `${where} (${name})`)),
    );
  });
  return hosts;
}
