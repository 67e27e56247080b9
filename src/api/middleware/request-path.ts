/**
 * The request's path as logs and spans show it: the path only (query strings and headers may carry
 * tokens or keys) and a link's token left out. `path` is Hono's `c.req.path`, the path its router
 * already split off the URL, so no URL is parsed again per request.
 */
export const shownPath = (path: string): string => path.replace(/^\/r\/[^/]+/, "/r/[token]");
