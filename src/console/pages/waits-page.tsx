import { roleAllows } from "../../api/middleware/roles";
import type { Role } from "../../config/env";
import { duration, When } from "../ui/format";
import { CsrfField } from "../ui/layout";
import type { OpenWait } from "../waits";

/** Whether `role` may resend and reassign a wait's links (the API's one role table decides). */
export const mayRelink = (role: Role, w: { runId: string; waitId: string }) =>
  roleAllows(role, "POST", `/v1/executions/${w.runId}/waits/${w.waitId}/resend`);

function Relink(props: { w: OpenWait; csrf: string }) {
  const { w } = props;
  const base = `/console/waits/${w.runId}/${w.waitId}`;
  const pending = w.recipients.filter((r) => r.status === "pending").map((r) => r.email);
  const id = w.waitId;
  return (
    <div class="relink">
      <form method="post" action={`${base}/resend`} class="inline">
        <CsrfField token={props.csrf} />
        <label for={`${id}-resend`}>Resend to</label>
        <select id={`${id}-resend`} name="recipient">
          <option value="">everyone who has not answered</option>
          {pending.map((e) => (
            <option value={e}>{e}</option>
          ))}
        </select>
        <button type="submit">Resend link</button>
      </form>
      <form method="post" action={`${base}/reassign`} class="inline">
        <CsrfField token={props.csrf} />
        <label for={`${id}-from`}>Reassign from</label>
        <select id={`${id}-from`} name="from" required>
          {pending.map((e) => (
            <option value={e}>{e}</option>
          ))}
        </select>
        <label for={`${id}-to`}>to</label>
        <input id={`${id}-to`} name="to" type="email" required autocomplete="off" />
        <button type="submit">Reassign</button>
      </form>
    </div>
  );
}

/** The waits inbox: open waits, oldest first, with their age, recipients, and resend / reassign. */
export function WaitsPage(props: {
  waits: OpenWait[];
  now: number;
  role: Role;
  csrf: string;
  notice?: string;
}) {
  return (
    <>
      {props.notice ? (
        <div class="alert success" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.waits.length === 0 ? <p>No run is waiting for a person.</p> : null}
      {props.waits.map((w) => (
        <section class="card" aria-labelledby={`${w.waitId}-h`}>
          <h2 id={`${w.waitId}-h`}>
            <a href={`/console/runs/${w.runId}`}>{w.runId}</a> · {w.stepId}{" "}
            <span class="muted">({w.type})</span>
          </h2>
          <ul class="facts" aria-label="Wait facts">
            <li>{w.workflowId}</li>
            <li>waiting for {duration(props.now - w.createdAt)}</li>
            <li>
              expires <When at={w.expiresAt} />
            </li>
          </ul>
          <p>
            Recipients:{" "}
            {w.recipients.map((r, i) => (
              <>
                {i > 0 ? ", " : ""}
                {r.email} <span class="muted">({r.status})</span>
              </>
            ))}
          </p>
          {mayRelink(props.role, w) ? <Relink w={w} csrf={props.csrf} /> : null}
        </section>
      ))}
    </>
  );
}
