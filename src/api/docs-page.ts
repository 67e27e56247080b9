import type { Context } from "hono";

/** Where the /docs page's files are served from (Workers static assets, `assets/docs/`). */
export const DOCS_ASSETS = {
  script: "/docs/vendor/swagger-ui-bundle.js",
  style: "/docs/vendor/swagger-ui.css",
  init: "/docs/init.js",
} as const;

/**
 * The CSP of /docs, where people paste API keys: only this origin's files run, and the page talks
 * to this origin only (the spec, and "Try it out"). No inline script or style element is allowed;
 * the only images are the `data:` icons inside Swagger UI's stylesheet.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scaff API</title>
<link rel="stylesheet" href="${DOCS_ASSETS.style}">
</head>
<body>
<div id="swagger-ui" data-spec-url="/openapi.json"></div>
<script src="${DOCS_ASSETS.script}"></script>
<script src="${DOCS_ASSETS.init}"></script>
</body>
</html>
`;

/** GET /docs: Swagger UI over /openapi.json, every file from this origin, nothing inline. */
export function docsPage(c: Context): Response {
  return c.body(DOCS_HTML, 200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": DOCS_CSP,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  });
}
