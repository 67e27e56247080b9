import type { Child } from "hono/jsx";
import type { ConsoleUser } from "../console-env";
import { CONSOLE_SCRIPT } from "./csp";
import { CONSOLE_STYLE } from "./styles";

/** The sections of the console, in navigation order. */
const SECTIONS = [
  { id: "runs", label: "Runs", href: "/console/runs" },
  { id: "workflows", label: "Workflows", href: "/console/workflows" },
  { id: "waits", label: "Waits", href: "/console/waits" },
] as const;

export type Section = (typeof SECTIONS)[number]["id"];

/** The signed-in user and the CSRF token of their session, for the header's sign-out form. */
export interface Viewer {
  user: ConsoleUser;
  csrf: string;
}

/** A hidden CSRF field: every console form carries one. */
export const CsrfField = (props: { token: string }) => (
  <input type="hidden" name="_csrf" value={props.token} />
);

function Bar(props: { viewer?: Viewer | undefined; current?: Section | undefined }) {
  return (
    <header class="bar">
      <a class="brand" href="/console/runs">
        Scaff console
      </a>
      {props.viewer ? (
        <>
          <nav aria-label="Console">
            <ul>
              {SECTIONS.map((s) => (
                <li>
                  <a href={s.href} aria-current={props.current === s.id ? "page" : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <form class="who" method="post" action="/console/sign-out">
            <span>
              {props.viewer.user.name} ({props.viewer.user.role})
            </span>
            <CsrfField token={props.viewer.csrf} />
            <button type="submit">Sign out</button>
          </form>
        </>
      ) : null}
    </header>
  );
}

/**
 * The document shell of every console page: the header with navigation and sign-out, a skip link,
 * the inline stylesheet and the one local script. `live` asks the script to refresh the page.
 */
export function ConsoleLayout(props: {
  title: string;
  viewer?: Viewer | undefined;
  current?: Section | undefined;
  live?: boolean;
  children?: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${props.title} · Scaff console`}</title>
        {/* A constant, not user input: raw so CSS selectors are not entity-escaped. */}
        <style dangerouslySetInnerHTML={{ __html: CONSOLE_STYLE }} />
        <script src={CONSOLE_SCRIPT} defer />
      </head>
      <body data-live={props.live ? "true" : undefined}>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <Bar viewer={props.viewer} current={props.current} />
        <main id="content" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}
