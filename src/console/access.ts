import { createRemoteJWKSet, jwtVerify } from "jose";
import type { Role } from "../config/env";
import { AppError } from "../lib/errors";

/** The header Cloudflare Access adds to every request it lets through. */
export const ACCESS_HEADER = "cf-access-jwt-assertion";
const ROLES: ReadonlySet<string> = new Set<Role>(["admin", "operator", "reader"]);
const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])$/;

/** Cloudflare Access as configured: the team's origin (the JWT issuer), the application's audience, the role. */
export interface AccessConfig {
  issuer: string;
  audience: string;
  role: Role;
}

/**
 * CF_ACCESS_TEAM_DOMAIN (`team.cloudflareaccess.com`, or an https URL; plain http only on loopback, for
 * tests) and CF_ACCESS_AUD, with CF_ACCESS_ROLE (default operator); null when Access is not configured.
 */
export function accessConfig(env: Env): AccessConfig | null {
  const team = env.CF_ACCESS_TEAM_DOMAIN?.trim();
  const audience = env.CF_ACCESS_AUD?.trim();
  if (!team || !audience) return null;
  let origin: URL;
  try {
    origin = new URL(/^https?:\/\//.test(team) ? team : `https://${team}`);
  } catch {
    throw new AppError("misconfigured", "CF_ACCESS_TEAM_DOMAIN is not a host name or URL");
  }
  if (origin.protocol !== "https:" && !LOOPBACK.test(origin.hostname)) {
    throw new AppError("misconfigured", "CF_ACCESS_TEAM_DOMAIN must use https");
  }
  const role = env.CF_ACCESS_ROLE?.trim() || "operator";
  if (!ROLES.has(role)) {
    throw new AppError("misconfigured", "CF_ACCESS_ROLE must be admin, operator or reader");
  }
  return { issuer: origin.origin, audience, role: role as Role };
}

/**
 * The email an Access JWT signs in, verified against the team's JWKS (signature, issuer, audience,
 * expiry), or null when the assertion is not valid. The key set is fetched per sign-in: a signed-in
 * user carries the console's own session from then on.
 */
export async function verifyAccessJwt(config: AccessConfig, assertion: string): Promise<string | null> {
  if (assertion.length > 8192) return null;
  const jwks = createRemoteJWKSet(new URL("/cdn-cgi/access/certs", config.issuer));
  try {
    const { payload } = await jwtVerify(assertion, jwks, {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: ["RS256", "ES256"],
    });
    return typeof payload.email === "string" && payload.email !== "" ? payload.email : null;
  } catch {
    return null;
  }
}
