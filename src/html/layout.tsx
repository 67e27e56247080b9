import type { Child } from "hono/jsx";
import { formatUtc } from "./format";
import { STYLE } from "./styles";

/** The document shell of every human page: language, viewport, no referrer, no indexing, inline CSS. */
export function Layout(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${props.title} · Scaff`}</title>
        {/* A constant, not user input: raw so CSS selectors are not entity-escaped. */}
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>{props.children}</main>
        <footer>
          <p>Scaff workflow page. Anyone holding this link can respond: do not share it.</p>
        </footer>
      </body>
    </html>
  );
}

/** The page heading: the step (or page) title with the workflow it belongs to. */
export function Heading(props: { title: string; workflowName?: string | undefined }) {
  return (
    <header>
      <h1>{props.title}</h1>
      {props.workflowName ? <p class="workflow">Workflow: {props.workflowName}</p> : null}
    </header>
  );
}

/** "Respond by …" with a machine-readable <time>. */
export function Deadline(props: { expiresAt: number }) {
  const t = formatUtc(props.expiresAt);
  return (
    <p class="meta">
      This link expires <time datetime={t.iso}>{t.human}</time>.
    </p>
  );
}

/** An alert region announced by screen readers; nothing when there is no message. */
export function Alert(props: { id?: string; children?: Child }) {
  return (
    <div class="alert" role="alert" id={props.id}>
      {props.children}
    </div>
  );
}

/** A label/value pair shown as-is (escaped), e.g. what the approver is deciding on. */
export interface LabeledValue {
  label: string;
  value: string;
}

/** A titled list of label/value pairs (the run's details, what was recorded). */
export function Pairs(props: { id: string; title: string; items: LabeledValue[] }) {
  if (props.items.length === 0) return null;
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <dl>
        {props.items.map((item) => (
          <>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}
