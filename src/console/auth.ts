import type { Context, MiddlewareHandler } from "hono";
import { parseApiKeys } from "../config/env";
import { isAllowedSubmission } from "../links/same-origin";
import { ACCESS_HEADER, accessConfig, verifyAccessJwt } from "./access";
import type { ConsoleEnv, ConsoleUser } from "./console-env";
import { readCookie, SESSION_COOKIE, setConsoleCookie } from "./cookies";
import { csrfMatches, csrfToken } from "./csrf";
import { issueSession, readSession, SESSION_TTL_MS, type Session } from "./session";
import { hmac, type SessionKeys, sessionKeys } from "./session-keys";
import { consolePage } from "./ui/respond";

/** The form field every console POST carries its CSRF token in. */
export const CSRF_FIELD = "_csrf";

/** A short, keyed fingerprint of an API key: a session ends when its key is changed or removed. */
export const keyPrint = async (keys: SessionKeys, key: string): Promise<string> =>
  (await hmac(keys.keys.get(keys.signingKid) ?? new Uint8Array(32), `key:${key}`)).slice(0, 22);

/** Who a session signs in now: the key's current role (none when the key is gone), or Access's role. */
async function userOf(env: Env, keys: SessionKeys, s: Session): Promise<ConsoleUser | null> {
  if (s.via === "access") {
    const access = accessConfig(env);
    return access ? { name: s.name, role: access.role, via: "access" } : null;
  }
  const entry = parseApiKeys(env.API_KEYS).find((k) => k.name === s.name);
  if (!entry || s.keyPrint !== (await keyPrint(keys, entry.key))) return null;
  return { name: entry.name, role: entry.role, via: "key" };
}

/** With Cloudflare Access configured and a valid assertion: a new session for its email. */
async function accessSignIn(c: Context<ConsoleEnv>, keys: SessionKeys): Promise<Session | null> {
  const access = accessConfig(c.env);
  const assertion = c.req.header(ACCESS_HEADER);
  if (!access || !assertion) return null;
  const email = await verifyAccessJwt(access, assertion);
  if (!email) return null;
  const { cookie, session } = await issueSession(keys, { name: email, via: "access", role: access.role });
  setConsoleCookie(c, SESSION_COOKIE, cookie, SESSION_TTL_MS / 1000);
  c.get("logger")?.info("console sign-in", { via: "access", user: email });
  return session;
}

const isRead = (method: string) => method === "GET" || method === "HEAD";

/**
 * Every console page but sign-in: a valid session (or a Cloudflare Access sign-in) puts the user and
 * the session's CSRF token on the context. Without one, a read is sent to sign in, a post is 401.
 * A post must come from this origin and carry the CSRF token, else 403.
 */
export const requireUser = (): MiddlewareHandler<ConsoleEnv> => async (c, next) => {
  const keys = await sessionKeys(c.env);
  let session = await readSession(keys, readCookie(c, SESSION_COOKIE));
  let user = session ? await userOf(c.env, keys, session) : null;
  if (!user) {
    session = await accessSignIn(c, keys);
    user = session ? await userOf(c.env, keys, session) : null;
  }
  if (!user || !session) {
    if (isRead(c.req.method)) {
      const next = new URL(c.req.url);
      return c.redirect(`/console/sign-in?next=${encodeURIComponent(next.pathname + next.search)}`, 303);
    }
    return consolePage(
      c,
      401,
      "Sign in first",
      "Your session has ended. Sign in again, then repeat what you did.",
    );
  }
  if (!isRead(c.req.method)) {
    const form = await c.req.parseBody();
    const token = typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] : undefined;
    const sameOrigin = isAllowedSubmission(c.req.raw.headers, c.req.url, c.env.PUBLIC_BASE_URL);
    if (!sameOrigin || !(await csrfMatches(keys, session.kid, "session", session.sid, token))) {
      return consolePage(
        c,
        403,
        "This form has expired",
        "The request did not carry this page's security token. Go back, reload the page and try again.",
      );
    }
  }
  c.set("user", user);
  c.set("csrf", await csrfToken(keys, session.kid, "session", session.sid));
  await next();
};
