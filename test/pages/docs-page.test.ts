import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, BASE } from "../helpers/api";
import { query } from "../helpers/html";

// /docs is where people paste API keys: Swagger UI must come from this origin's pinned files, with a
// CSP that runs nothing else, and the page must work with no network beyond this origin.

/** The CSP as directive → sources. */
function directives(csp: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (csp ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** A file of the static assets, fetched as the platform serves it (exports.default.fetch never does). */
const asset = (path: string): Promise<Response> => env.ASSETS.fetch(new Request(`${BASE}${path}`));

describe("/docs", () => {
  it("answers with a strict CSP: scripts, styles, images and requests from this origin only", async () => {
    const res = await api("GET", "/docs", { key: null });
    expect(res.status).toBe(200);
    expect(directives(res.headers.get("content-security-policy"))).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["data:"],
      "connect-src": ["'self'"],
      "base-uri": ["'none'"],
      "form-action": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("has no inline script or style, and loads only files this origin serves", async () => {
    const html = (await api<string>("GET", "/docs", { key: null })).text;
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<style|\son\w+=|style=/i);
    const scripts = await query(html, "script");
    expect(scripts.map((s) => s.text.trim())).toEqual(["", ""]);
    const files = [
      ...scripts.map((s) => s.attrs.src ?? ""),
      ...(await query(html, "link[rel=stylesheet]")).map((l) => l.attrs.href ?? ""),
    ];
    expect(files.sort()).toEqual([
      "/docs/init.js",
      "/docs/vendor/swagger-ui-bundle.js",
      "/docs/vendor/swagger-ui.css",
    ]);
    for (const file of files) {
      const res = await asset(file);
      expect(res.status, `${file}: run npm install (scripts/copy-docs-assets.mjs)`).toBe(200);
      expect(res.headers.get("content-type"), file).toMatch(
        file.endsWith(".css") ? /^text\/css/ : /javascript/,
      );
      const body = await res.text();
      expect(body.length, file).toBeGreaterThan(file.endsWith("init.js") ? 100 : 100_000);
    }
  });

  it("starts Swagger UI on this origin's spec without asking any other host", async () => {
    const init = await (await asset("/docs/init.js")).text();
    expect(init).toContain("validatorUrl: null");
    expect(init).not.toMatch(/https?:\/\//);
    const bundle = await (await asset("/docs/vendor/swagger-ui-bundle.js")).text();
    expect(bundle).toContain("SwaggerUIBundle");
    const html = (await api<string>("GET", "/docs", { key: null })).text;
    expect((await query(html, "#swagger-ui"))[0]?.attrs["data-spec-url"]).toBe("/openapi.json");
    expect((await api("GET", "/openapi.json", { key: null })).status).toBe(200);
    // The licence travels with the copied files.
    expect((await asset("/docs/vendor/LICENSE")).status).toBe(200);
  });
});
