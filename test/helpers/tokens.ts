/** Resume tokens as tests read and forge them: from mailed links, expired, unknown or tampered copies. */
import { env } from "cloudflare:workers";
import { parseTokenSecrets, randomId, signResumeToken, verifyResumeToken } from "../../src/tokens";

/** The keyring the test Worker signs links with (its RESUME_TOKEN_SECRETS binding). */
export const testKeyring = () => parseTokenSecrets(env.RESUME_TOKEN_SECRETS);

/** The claims a token the Worker signed carries. */
export const claimsOf = (token: string) => verifyResumeToken(testKeyring(), token);

/** The token of the first resume link (`/r/{token}`) in a text, or "" when there is none. */
export const linkToken = (text: string): string => /\/r\/([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? "";

/** base64url without padding, as JWT segments are written. */
export const b64url = (s: string): string =>
  btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
/** Reads a base64url JWT segment back. */
export const fromB64url = (s: string): string => atob(s.replace(/-/g, "+").replace(/_/g, "/"));

/** A validly signed copy of `token` that expired a minute ago: what a late click sends. */
export async function expiredCopy(token: string): Promise<string> {
  const claims = await claimsOf(token);
  return signResumeToken(testKeyring(), { ...claims, expiresAt: Date.now() - 60_000 }, Date.now() - 120_000);
}

/** A validly signed copy of `token` with an id no wait ever minted. */
export async function unknownCopy(token: string): Promise<string> {
  return signResumeToken(testKeyring(), { ...(await claimsOf(token)), jti: randomId() });
}

/** `token` with the first character of its signature changed, so it no longer verifies. */
export function tamperedCopy(token: string): string {
  const [h, p, s = ""] = token.split(".");
  return `${h}.${p}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
}
