import { Hono } from "hono";
import type { AppEnv } from "../api/app-env";
import { limitBody } from "../api/middleware/body-limit";
import { linkErrorPage } from "./errors";
import { settledPage } from "./link-pages";
import { readLinkState } from "./link-state";
import { openLinkPage, verifyLink } from "./open-link";
import { submitLink } from "./submit";

/**
 * The human pages behind emailed links (docs/api.md, `/r/{token}`), mounted at `/r`: no API key, the
 * token is the capability. GET and HEAD only read (mail scanners prefetch links); POST submits through
 * the run's Durable Object, which uses the token up exactly once. Every answer is a page, errors too.
 */
export const linkRoutes = new Hono<AppEnv>();

// Bounded here rather than by the app: only what throws inside this sub-app reaches its onError.
linkRoutes.use("*", limitBody());

linkRoutes.get("/:token", async (c) => {
  const token = c.req.param("token");
  const claims = await verifyLink(c.env, token);
  const state = await readLinkState(c.env, claims);
  if (state.kind !== "open") return settledPage(state, claims, c.req.query("done") === "1");
  return openLinkPage({ ...state, claims, token });
});

linkRoutes.post("/:token", submitLink);

// app.route wraps each route with the onError set at mount time, so it is set here, with the routes.
linkRoutes.onError(linkErrorPage);
