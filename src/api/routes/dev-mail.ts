import { type Context, Hono } from "hono";
import { isDevMode } from "../../config/env";
import { AppError } from "../../lib/errors";
import { htmlResponse } from "../../pages";
import { type DevMailItem, renderDevMailPage } from "../../pages/dev-mail-page";
import type { AppEnv } from "../app-env";

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

interface Row {
  id: string;
  run_id: string;
  step_id: string;
  kind: string;
  to_address: string;
  subject: string;
  status: string;
  last_error: string | null;
  text_body: string;
  created_at: number;
}

/**
 * The local mailbox of the `outbox` sender (DESIGN 5): `/dev/mail` (HTML), `/dev/mail.json` and
 * `/dev/mail/{id}` (one email's HTML part). DEV_MODE is checked on every request, so production,
 * where it is never "true", answers exactly like an unknown route.
 */
export const devMailRoutes = new Hono<AppEnv>();

devMailRoutes.use("/dev/*", async (c, next) => {
  if (!isDevMode(c.env)) {
    throw new AppError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  }
  await next();
});

async function listMail(db: D1Database): Promise<DevMailItem[]> {
  const rows = await db
    .prepare(
      `SELECT id, run_id, step_id, kind, to_address, subject, status, last_error, text_body, created_at
       FROM mail_outbox ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    )
    .bind(DEV_MAIL_LIMIT)
    .all<Row>();
  return rows.results.map((r) => ({
    id: r.id,
    run_id: r.run_id,
    step_id: r.step_id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    last_error: r.last_error,
    links: [...new Set(r.text_body.match(URL_IN_TEXT) ?? [])],
    created_at: new Date(r.created_at).toISOString(),
  }));
}

devMailRoutes.get("/dev/mail", async (c) =>
  htmlResponse(renderDevMailPage(await listMail(c.env.DB), DEV_MAIL_LIMIT)),
);

devMailRoutes.get("/dev/mail.json", async (c: Context<AppEnv>) => {
  c.header("Cache-Control", "no-store");
  return c.json({ items: await listMail(c.env.DB) }, 200);
});

devMailRoutes.get("/dev/mail/:id", async (c) => {
  const row = await c.env.DB.prepare("SELECT html_body FROM mail_outbox WHERE id = ?")
    .bind(c.req.param("id"))
    .first<{ html_body: string }>();
  if (!row) throw new AppError("not_found", "No such email in the outbox");
  return htmlResponse(row.html_body, 200, { "Content-Security-Policy": EMAIL_CSP });
});
