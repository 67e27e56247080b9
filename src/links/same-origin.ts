/**
 * Whether a page submission may come from where the browser says it comes from.
 *
 * The link's token is the capability: whoever holds it can answer, with or without a browser, so
 * CSRF protection cannot add secrecy. It still stops one real attack: a page on another site that
 * learnt a token (a leaked or forwarded link) making the recipient's own browser submit an answer
 * in their name. Browsers tell us the initiator:
 * - `Sec-Fetch-Site` (all current browsers): only `same-origin` (our own form) and `none` (the
 *   user acted directly) pass; `same-site` and `cross-site` are refused.
 * - otherwise `Origin`: must be this server (or PUBLIC_BASE_URL). `Origin: null` is allowed,
 *   because our pages send `Referrer-Policy: no-referrer`, under which browsers send exactly
 *   `null` for their own same-origin form posts.
 * - neither header (curl, scripts, old clients): allowed; the token alone decides, like the JSON API.
 * The CSP's `form-action 'self'` keeps our own forms from posting anywhere else.
 */
export function isAllowedSubmission(headers: Headers, requestUrl: string, publicBase?: string): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const origin = headers.get("origin");
  if (origin === null || origin === "null") return true;
  const allowed = new Set([new URL(requestUrl).origin]);
  if (publicBase) {
    try {
      allowed.add(new URL(publicBase).origin);
    } catch {
      // A malformed PUBLIC_BASE_URL allows nothing extra.
    }
  }
  return allowed.has(origin);
}
