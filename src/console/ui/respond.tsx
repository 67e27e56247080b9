import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PAGE_HEADERS } from "../../html";
import { renderDocument } from "../../html/render";
import type { ConsoleEnv } from "../console-env";
import { consoleCsp } from "./csp";
import { ConsoleLayout, type Section, type Viewer } from "./layout";

/** The viewer of a signed-in request (set by requireUser), or undefined before sign-in. */
export function viewerOf(c: Context<ConsoleEnv>): Viewer | undefined {
  const user = c.get("user");
  return user ? { user, csrf: c.get("csrf") } : undefined;
}

/** Answers a console page: the layout around `children`, the human pages' headers and the console CSP. */
export async function respond(
  c: Context<ConsoleEnv>,
  page: { title: string; current?: Section; live?: boolean; status?: ContentfulStatusCode },
  children: Child,
): Promise<Response> {
  const html = renderDocument(
    <ConsoleLayout title={page.title} viewer={viewerOf(c)} current={page.current} live={page.live ?? false}>
      {children}
    </ConsoleLayout>,
  );
  // c.body, not a bare Response: cookies set on the context (sign-in, Access) go out with the page.
  return c.body(html, page.status ?? 200, { ...PAGE_HEADERS, "Content-Security-Policy": await consoleCsp() });
}

/** A page with a title and one message (errors, refusals). */
export function consolePage(
  c: Context<ConsoleEnv>,
  status: ContentfulStatusCode,
  title: string,
  message: string,
): Promise<Response> {
  return respond(
    c,
    { title, status },
    <>
      <p class="text">{message}</p>
      <p>
        <a href="/console/runs">Back to the console</a>
      </p>
    </>,
  );
}
