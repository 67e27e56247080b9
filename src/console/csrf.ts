import { hmac, type SessionKeys } from "./session-keys";

// CSRF tokens are bound to what the browser holds in an HttpOnly cookie (the session id, or before
// sign-in the sign-in nonce): a page on another site can neither read the cookie nor compute the token.

/** The CSRF token for a session (`scope` "session") or a sign-in form (`scope` "sign-in"), under key `kid`. */
export async function csrfToken(
  keys: SessionKeys,
  kid: string,
  scope: "session" | "sign-in",
  bound: string,
): Promise<string> {
  const key = keys.keys.get(kid);
  if (!key) throw new Error(`no console key ${kid}`);
  return hmac(key, `csrf:${scope}:${bound}`);
}

/** Whether `presented` is the CSRF token of `bound` (compared in constant time). */
export async function csrfMatches(
  keys: SessionKeys,
  kid: string,
  scope: "session" | "sign-in",
  bound: string,
  presented: string | undefined,
): Promise<boolean> {
  if (!presented || presented.length > 128) return false;
  const expected = await csrfToken(keys, kid, scope, bound);
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(expected)),
    crypto.subtle.digest("SHA-256", enc.encode(presented)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
