import { renderDocument } from "../html/render";

/** The facts both parts of a wait email carry; built by composeWaitEmail. */
export interface WaitEmailContent {
  heading: string;
  intro: string;
  reminder: boolean;
  instructions?: string | undefined;
  actionLabel: string;
  link: string;
  deadlineIso: string;
  deadlineHuman: string;
  to: string;
}

// Email clients ignore <style> blocks unevenly, so the few styles are inline attributes.
const P = "margin:0 0 16px;font:16px/1.5 Arial,Helvetica,sans-serif;color:#1b1f24";
const MUTED = "margin:0 0 8px;font:13px/1.5 Arial,Helvetica,sans-serif;color:#57606a";
const BUTTON =
  "display:inline-block;padding:12px 20px;border-radius:6px;background:#0b5cad;color:#ffffff;font:bold 16px Arial,Helvetica,sans-serif;text-decoration:none";

/** The HTML part of a wait email; every value is escaped by JSX. */
export function renderWaitEmailHtml(c: WaitEmailContent): string {
  return renderDocument(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{c.heading}</title>
      </head>
      <body style="margin:0;padding:24px;background:#ffffff">
        <div style="max-width:560px;margin:0 auto">
          <h1 style="margin:0 0 16px;font:bold 20px/1.3 Arial,Helvetica,sans-serif;color:#1b1f24">
            {c.heading}
          </h1>
          {c.reminder ? (
            <p style={P}>
              <strong>Reminder:</strong> this is still waiting for you.
            </p>
          ) : null}
          <p style={P}>{c.intro}</p>
          {c.instructions ? <p style={`${P};white-space:pre-wrap`}>{c.instructions}</p> : null}
          <p style={P}>
            <a href={c.link} style={BUTTON}>
              {c.actionLabel}
            </a>
          </p>
          <p style={P}>
            Please respond by <time datetime={c.deadlineIso}>{c.deadlineHuman}</time> ({c.deadlineIso}). After
            that the link expires.
          </p>
          <p style={MUTED}>If the button does not work, copy this link into your browser:</p>
          <p style={`${MUTED};word-break:break-all`}>
            <a href={c.link}>{c.link}</a>
          </p>
          <p style={MUTED}>
            This email was sent to {c.to} by Scaff. Anyone with the link can respond: do not forward it.
          </p>
        </div>
      </body>
    </html>,
  );
}
