import { STYLE_SHA256 } from "./styles";

/**
 * The Content-Security-Policy of every human page: no scripts, images, fonts or frames at all;
 * only the inline stylesheet (by hash); forms may post only to this origin.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_SHA256}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Security and caching headers for a human page (the links carry bearer tokens: never cache, never leak). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": PAGE_CSP,
};

/** Wraps a rendered page in a Response with PAGE_HEADERS and the given status (default 200). */
export function htmlResponse(body: string, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(PAGE_HEADERS);
  if (headers) {
    for (const [key, value] of new Headers(headers)) h.set(key, value);
  }
  return new Response(body, { status, headers: h });
}
