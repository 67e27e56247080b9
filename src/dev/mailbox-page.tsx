import { formatUtc } from "../html/format";
import { Heading, Layout } from "../html/layout";
import { renderDocument } from "../html/render";

/** One outbox email as the development mailbox lists it. */
export interface DevMailItem {
  id: string;
  run_id: string;
  step_id: string;
  kind: string;
  to: string;
  subject: string;
  status: string;
  last_error: string | null;
  links: string[];
  created_at: string;
}

/** The development mailbox (`GET /dev/mail`): the newest outbox emails with their links; every value escaped. */
export function renderDevMailPage(items: DevMailItem[], limit: number): string {
  return renderDocument(
    <Layout title="Dev mail">
      <Heading title="Dev mail" workflowName={undefined} />
      <p class="meta">
        The newest {limit} emails of the outbox, newest first. Only served when DEV_MODE=true. Also as JSON:{" "}
        <a href="/dev/mail.json">/dev/mail.json</a>.
      </p>
      {items.length === 0 ? <p class="text">No emails yet.</p> : null}
      {items.map((m) => (
        <section aria-label={m.subject}>
          <h2>{m.subject}</h2>
          <dl>
            <dt>To</dt>
            <dd>{m.to}</dd>
            <dt>Status</dt>
            <dd>{m.last_error ? `${m.status} (${m.last_error})` : m.status}</dd>
            <dt>Created</dt>
            <dd>
              <time datetime={m.created_at}>{formatUtc(Date.parse(m.created_at)).human}</time>
            </dd>
            <dt>Run</dt>
            <dd>
              {m.run_id} · {m.step_id} · {m.kind}
            </dd>
            <dt>Links</dt>
            <dd>
              {m.links.length === 0
                ? "none"
                : m.links.map((link, i) => (
                    <>
                      {i > 0 ? <br /> : null}
                      <a href={link}>{link}</a>
                    </>
                  ))}
            </dd>
            <dt>Email</dt>
            <dd>
              <a href={`/dev/mail/${encodeURIComponent(m.id)}`}>View the HTML part</a>
            </dd>
          </dl>
        </section>
      ))}
    </Layout>,
  );
}
