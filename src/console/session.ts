import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { Role } from "../config/env";
import { randomId } from "../tokens";
import type { SessionKeys } from "./session-keys";

/** How long a console session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const AUDIENCE = "scaff-console";
const ISSUER = "scaff";
const MAX_COOKIE_LENGTH = 4096;

/** What the session cookie says: who signed in, how, and the session id the CSRF token is bound to. */
export interface Session {
  sid: string;
  name: string;
  via: "key" | "access";
  /** For a key: the fingerprint of the key it was signed in with (a changed key ends the session). */
  keyPrint?: string;
  /** For Cloudflare Access: the role it granted. */
  role?: Role;
  kid: string;
  expiresAt: number;
}

/** A new session for `who`, signed with the signing key; returns the cookie value and the session. */
export async function issueSession(
  keys: SessionKeys,
  who: Omit<Session, "sid" | "kid" | "expiresAt">,
  now: number = Date.now(),
): Promise<{ cookie: string; session: Session }> {
  const key = keys.keys.get(keys.signingKid);
  if (!key) throw new Error("session keys without their signing key");
  const session: Session = {
    ...who,
    sid: randomId(),
    kid: keys.signingKid,
    expiresAt: Math.floor((now + SESSION_TTL_MS) / 1000) * 1000,
  };
  const cookie = await new SignJWT({
    sid: session.sid,
    via: session.via,
    ...(session.keyPrint ? { kp: session.keyPrint } : {}),
    ...(session.role ? { role: session.role } : {}),
  })
    .setProtectedHeader({ alg: "HS256", kid: session.kid })
    .setSubject(session.name)
    .setAudience(AUDIENCE)
    .setIssuer(ISSUER)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(session.expiresAt / 1000)
    .sign(key);
  return { cookie, session };
}

/** The session a cookie carries, or null when it is missing, forged, expired or malformed. */
export async function readSession(
  keys: SessionKeys,
  cookie: string | undefined,
  now: number = Date.now(),
): Promise<Session | null> {
  if (!cookie || cookie.length > MAX_COOKIE_LENGTH) return null;
  try {
    const kid = decodeProtectedHeader(cookie).kid;
    const key = kid === undefined ? undefined : keys.keys.get(kid);
    if (!key || kid === undefined) return null;
    const { payload } = await jwtVerify(cookie, key, {
      algorithms: ["HS256"],
      audience: AUDIENCE,
      issuer: ISSUER,
      currentDate: new Date(now),
    });
    const { sub, sid, via, kp, role, exp } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") return null;
    if (via !== "key" && via !== "access") return null;
    return {
      sid,
      name: sub,
      via,
      kid,
      expiresAt: exp * 1000,
      ...(typeof kp === "string" ? { keyPrint: kp } : {}),
      ...(role === "admin" || role === "operator" || role === "reader" ? { role } : {}),
    };
  } catch {
    return null;
  }
}
