import { type Context, Hono } from "hono";
import { findApiKey } from "../api/middleware/auth";
import { isAllowedSubmission } from "../links/same-origin";
import { randomId } from "../tokens";
import { accessConfig } from "./access";
import { CSRF_FIELD, keyPrint } from "./auth";
import type { ConsoleEnv } from "./console-env";
import { clearConsoleCookie, readCookie, SESSION_COOKIE, SIGN_IN_COOKIE, setConsoleCookie } from "./cookies";
import { csrfMatches, csrfToken } from "./csrf";
import { issueSession, readSession, SESSION_TTL_MS } from "./session";
import { type SessionKeys, sessionKeys } from "./session-keys";
import { CsrfField } from "./ui/layout";
import { consolePage, respond } from "./ui/respond";

const SIGN_IN_TTL_S = 60 * 60;
/** A path of this console: no other host, no backslash or space tricks. */
const CONSOLE_PATH = /^\/console(?:[/?][^\\\s]*)?$/;

/** Where to go after signing in: a console path only (never another site), else the runs. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && CONSOLE_PATH.test(next) ? next : "/console/runs";
}

async function signInForm(
  c: Context<ConsoleEnv>,
  keys: SessionKeys,
  opts: { status?: 200 | 401; error?: string; notice?: string },
): Promise<Response> {
  // One nonce per browser while it lasts, so two open sign-in tabs both work.
  const nonce = readCookie(c, SIGN_IN_COOKIE) ?? randomId();
  setConsoleCookie(c, SIGN_IN_COOKIE, nonce, SIGN_IN_TTL_S);
  const token = await csrfToken(keys, keys.signingKid, "sign-in", nonce);
  const next = safeNext(c.req.query("next"));
  return respond(
    c,
    { title: "Sign in", status: opts.status ?? 200 },
    <>
      {opts.notice ? (
        <div class="alert success" role="status">
          <p>{opts.notice}</p>
        </div>
      ) : null}
      {opts.error ? (
        <div class="alert" role="alert" id="sign-in-error">
          <p>{opts.error}</p>
        </div>
      ) : null}
      <form class="sign-in" method="post" action={`/console/sign-in?next=${encodeURIComponent(next)}`}>
        <CsrfField token={token} />
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            name="api_key"
            type="password"
            required
            autocomplete="off"
            aria-describedby={opts.error ? "sign-in-error api-key-help" : "api-key-help"}
            aria-invalid={opts.error ? "true" : undefined}
          />
          <p class="help" id="api-key-help">
            One of the keys in API_KEYS. The console acts with that key's role for 12 hours.
          </p>
        </div>
        <div class="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
      {accessConfig(c.env) ? (
        <p class="meta">Behind Cloudflare Access you are signed in with your Access identity.</p>
      ) : null}
    </>,
  );
}

/** `/console/sign-in` (GET the form, POST an API key) and `/console/sign-out`'s effect. */
export const signInRoutes = new Hono<ConsoleEnv>();

signInRoutes.get("/sign-in", async (c) => {
  const keys = await sessionKeys(c.env);
  const signedOut = c.req.query("signed_out") === "1";
  if (!signedOut && (await readSession(keys, readCookie(c, SESSION_COOKIE)))) {
    return c.redirect(safeNext(c.req.query("next")), 303);
  }
  return signInForm(c, keys, signedOut ? { notice: "You are signed out." } : {});
});

signInRoutes.post("/sign-in", async (c) => {
  const keys = await sessionKeys(c.env);
  const form = await c.req.parseBody();
  const nonce = readCookie(c, SIGN_IN_COOKIE);
  const token = typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] : undefined;
  const sameOrigin = isAllowedSubmission(c.req.raw.headers, c.req.url, c.env.PUBLIC_BASE_URL);
  if (!sameOrigin || !nonce || !(await csrfMatches(keys, keys.signingKid, "sign-in", nonce, token))) {
    return consolePage(
      c,
      403,
      "This form has expired",
      "The sign-in form did not carry its security token (or cookies are off). Reload the sign-in page and try again.",
    );
  }
  const presented = typeof form.api_key === "string" ? form.api_key.trim() : "";
  const key = presented === "" ? undefined : await findApiKey(c.env.API_KEYS, presented);
  if (!key) {
    c.get("logger")?.info("console sign-in refused");
    return signInForm(c, keys, { status: 401, error: "That API key is not valid." });
  }
  const { cookie } = await issueSession(keys, {
    name: key.name,
    via: "key",
    keyPrint: await keyPrint(keys, key.key),
  });
  setConsoleCookie(c, SESSION_COOKIE, cookie, SESSION_TTL_MS / 1000);
  clearConsoleCookie(c, SIGN_IN_COOKIE);
  c.get("logger")?.info("console sign-in", { via: "key", user: key.name });
  return c.redirect(safeNext(c.req.query("next")), 303);
});

/** POST /console/sign-out (behind requireUser, so it needs the session's CSRF token): ends the session. */
export function signOut(c: Context<ConsoleEnv>): Response {
  clearConsoleCookie(c, SESSION_COOKIE);
  return c.redirect("/console/sign-in?signed_out=1", 303);
}
