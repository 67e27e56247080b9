import type { HumanWait } from "../../engine/state";
import type { AttemptView } from "../../run-db/history";
import type { RunEvent } from "../run-reads";
import { Code, duration, When } from "../ui/format";
import { Decision } from "./decision";

const isMail = (e: RunEvent) => e.type.startsWith("mail.");
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const dataOf = (e: RunEvent): Record<string, unknown> => (e as { data?: Record<string, unknown> }).data ?? {};

/** Each email of the wait with where it stands: queued, then sent, failed or dropped. */
function Emails(props: { events: RunEvent[] }) {
  const mails = props.events.filter(isMail);
  if (mails.length === 0) return <p class="muted">No emails recorded.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">Emails</caption>
        <thead>
          <tr>
            <th scope="col">To</th>
            <th scope="col">What</th>
            <th scope="col">Status</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {mails.map((e) => {
            const d = dataOf(e);
            const status = e.type.slice("mail.".length);
            const why = str(d.error) ?? str(d.reason);
            return (
              <tr>
                <td>{str(d.to) ?? "—"}</td>
                <td>{str(d.kind) ?? ""}</td>
                <td>
                  <span
                    class={`status s-${status === "sent" ? "completed" : status === "queued" ? "waiting" : "failed"}`}
                  >
                    {status}
                  </span>
                  {why ? <span class="muted"> {why}</span> : null}
                </td>
                <td>
                  <When at={e.created_at} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Who was asked: the open wait's recipients, else everyone an email was queued for. */
function recipientsOf(wait: HumanWait | undefined, events: RunEvent[]): string[] {
  if (wait) return wait.recipients;
  const to = events.filter((e) => e.type === "mail.queued").map((e) => str(dataOf(e).to));
  return [...new Set(to.filter((t): t is string => t !== undefined))];
}

/** What happened to an open wait besides emails and the answer: reminders, escalations, resends, reassignments. */
const WAIT_CHANGES = new Set([
  "wait.reminded",
  "wait.escalated",
  "wait.resent",
  "wait.reassigned",
  "wait.recipient_forbidden",
]);

const list = (v: unknown): string => (Array.isArray(v) ? v.join(", ") : (str(v) ?? ""));

/** One change as a sentence. */
function change(e: RunEvent): string {
  const d = dataOf(e);
  const by = str(d.by) ? ` by ${str(d.by)}` : "";
  switch (e.type) {
    case "wait.reminded":
      return `reminder ${String(d.reminder ?? "")} sent`;
    case "wait.escalated":
      return `escalated (level ${String(d.level ?? "?")}) to ${list(d.to) || "nobody new"}`;
    case "wait.resent":
      return `link resent to ${list(d.to ?? d.recipients ?? d.recipient) || "the recipients"}${by}`;
    case "wait.reassigned":
      return `reassigned from ${list(d.from)} to ${list(d.to)}${by}`;
    default:
      return `${list(d.recipient)} may not answer this wait (forbidden)`;
  }
}

/** A form or approval step: who was asked, the emails and their delivery, reminders, escalations, the decision. */
export function HumanStep(props: {
  attempts: AttemptView[];
  events: RunEvent[];
  wait: HumanWait | undefined;
  anchor: string;
  now: number;
}) {
  const { events, wait } = props;
  const recipients = recipientsOf(wait, events);
  const reminders = events.filter((e) => e.type === "wait.reminded");
  const escalations = events.filter((e) => e.type === "wait.escalated");
  const changes = events.filter((e) => WAIT_CHANGES.has(e.type));
  const resumed = events.find((e) => e.type === "run.resumed");
  const by = str(resumed ? dataOf(resumed).by : undefined);
  return (
    <div class="human">
      <ul class="facts" aria-label="Wait facts">
        <li>recipients: {recipients.length > 0 ? recipients.join(", ") : "none recorded"}</li>
        {wait ? (
          <>
            <li>waiting for {duration(props.now - wait.startedAt)}</li>
            <li>
              expires <When at={wait.expiresAt} />
            </li>
          </>
        ) : null}
        <li>reminders: {reminders.length}</li>
        <li>escalations: {escalations.length}</li>
      </ul>
      <Emails events={events} />
      {changes.length > 0 ? (
        <ul aria-label="Changes to the wait">
          {changes.map((e) => (
            <li>
              {change(e)} <When at={e.created_at} />
            </li>
          ))}
        </ul>
      ) : null}
      {props.attempts.map((a, i) =>
        a.status === "completed" ? (
          <Decision a={a} by={by} anchor={`${props.anchor}-a${i + 1}`} />
        ) : a.error !== undefined ? (
          <>
            <p class="error">
              Attempt {a.attempt}: {a.status}
            </p>
            <Code id={`${props.anchor}-a${i + 1}-err`} value={a.error} />
          </>
        ) : null,
      )}
    </div>
  );
}
