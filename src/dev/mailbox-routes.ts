import { type Context, Hono } from "hono";
import type { AppEnv } from "../api/app-env";
import { isDevMode } from "../config/env";
import { getMailHtml, listRecentMail } from "../db/dev-mail";
import { htmlResponse } from "../html";
import { AppError } from "../lib/errors";
import { type DevMailItem, renderDevMailPage } from "./mailbox-page";

/** How many emails the development mailbox shows. */
export const DEV_MAIL_LIMIT = 100;

// The stored HTML part is shown as an email client would: inline styles, no scripts, no forms, nothing fetched.
const EMAIL_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation",
].join("; ");

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/**
 * The local mailbox of the `outbox` sender (docs/api.md, Human pages), mounted at `/dev`: `/dev/mail`
 * (HTML), `/dev/mail.json` and `/dev/mail/{id}` (one email's HTML part). DEV_MODE is checked on every
 * request, so production, where it is never "true", answers exactly like an unknown route.
 */
export const devMailRoutes = new Hono<AppEnv>();

devMailRoutes.use("*", async (c, next) => {
  if (!isDevMode(c.env)) {
    throw new AppError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  }
  await next();
});

async function listMail(db: D1Database): Promise<DevMailItem[]> {
  const rows = await listRecentMail(db, DEV_MAIL_LIMIT);
  return rows.map((r) => ({
    id: r.id,
    run_id: r.runId,
    step_id: r.stepId,
    kind: r.kind,
    to: r.toAddress,
    subject: r.subject,
    status: r.status,
    last_error: r.lastError,
    links: [...new Set(r.textBody.match(URL_IN_TEXT) ?? [])],
    created_at: new Date(r.createdAt).toISOString(),
  }));
}

devMailRoutes.get("/mail", async (c) =>
  htmlResponse(renderDevMailPage(await listMail(c.env.DB), DEV_MAIL_LIMIT)),
);

devMailRoutes.get("/mail.json", async (c: Context<AppEnv>) => {
  c.header("Cache-Control", "no-store");
  return c.json({ items: await listMail(c.env.DB) }, 200);
});

devMailRoutes.get("/mail/:id", async (c) => {
  const html = await getMailHtml(c.env.DB, c.req.param("id"));
  if (html === null) throw new AppError("not_found", "No such email in the outbox");
  return htmlResponse(html, 200, { "Content-Security-Policy": EMAIL_CSP });
});
