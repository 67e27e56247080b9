/** A tiny browser for console tests: keeps cookies, follows nothing, and reads the CSRF token of a page. */
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { query } from "../helpers/html";

export const ORIGIN = "https://scaff.test";

export interface Page {
  status: number;
  headers: Headers;
  html: string;
  location: string | null;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly origin = ORIGIN,
    private readonly envOverrides?: Partial<Env>,
  ) {}

  async request(
    method: string,
    path: string,
    init: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    let body: string | undefined;
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      headers.set("origin", this.origin);
      body = new URLSearchParams(init.form).toString();
    }
    const req = new Request(`${this.origin}${path}`, { method, headers, body, redirect: "manual" });
    const res = this.envOverrides
      ? await createApp().fetch(req, { ...env, ...this.envOverrides }, createExecutionContext())
      : await exports.default.fetch(req);
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/Max-Age=0/i.test(c) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: res.status,
      headers: res.headers,
      html: await res.text(),
      location: res.headers.get("location"),
    };
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request("GET", path, headers ? { headers } : {});
  post = (path: string, form: Record<string, string>) => this.request("POST", path, { form });

  /** Opens the sign-in page and signs in with `key`; the response to the sign-in post. */
  async signIn(key: string, next?: string): Promise<Page> {
    const page = await this.get(`/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`);
    const action =
      (await query(page.html, "form[action^='/console/sign-in']"))[0]?.attrs.action ?? "/console/sign-in";
    return this.post(action, { _csrf: await csrfOf(page.html), api_key: key });
  }
}

/** The CSRF token the page's forms carry. */
export async function csrfOf(html: string): Promise<string> {
  const field = (await query(html, "input[name=_csrf]"))[0];
  if (!field) throw new Error("no CSRF field on the page");
  return field.attrs.value ?? "";
}
