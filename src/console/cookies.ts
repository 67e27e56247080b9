import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";

/** The signed session cookie. */
export const SESSION_COOKIE = "scaff_session";
/** The nonce the sign-in form's CSRF token is bound to, before there is a session. */
export const SIGN_IN_COOKIE = "scaff_signin";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Secure everywhere but plain http on this machine (the browser would drop a Secure cookie there). */
export function isLoopbackHttp(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && LOOPBACK.has(u.hostname);
}

function options(c: Context, maxAgeSeconds: number): CookieOptions {
  return {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLoopbackHttp(c.req.url),
    maxAge: maxAgeSeconds,
  };
}

/** Sets cookie `name` for the console's paths: HttpOnly, SameSite=Strict, Secure off loopback. */
export function setConsoleCookie(c: Context, name: string, value: string, maxAgeSeconds: number): void {
  setCookie(c, name, value, options(c, maxAgeSeconds));
}

/** Clears cookie `name` (with the attributes it was set with, so the browser matches it). */
export function clearConsoleCookie(c: Context, name: string): void {
  deleteCookie(c, name, { path: "/console", secure: !isLoopbackHttp(c.req.url) });
}

/** The value of cookie `name`, if the request carries it. */
export const readCookie = (c: Context, name: string): string | undefined => getCookie(c, name);
