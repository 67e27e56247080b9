import { duration, When } from "../ui/format";
import type { OpenWait } from "../waits";

/** The waits inbox: open waits, oldest first, with their age and recipients. */
export function WaitsPage(props: { waits: OpenWait[]; now: number }) {
  return (
    <>
      <p class="meta">
        Resend and reassign are not available here yet: they come with the waits endpoint (GET /v1/waits).
        Until then, open a run to see its emails.
      </p>
      {props.waits.length === 0 ? (
        <p>No run is waiting for a person.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="muted">Oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Step</th>
                <th scope="col">Waiting for</th>
                <th scope="col">Recipients</th>
                <th scope="col">Reminders</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {props.waits.map((w) => (
                <tr>
                  <td>
                    <a href={`/console/runs/${w.runId}`}>{w.runId}</a>
                    <br />
                    <span class="muted">{w.workflowId}</span>
                  </td>
                  <td>
                    {w.stepId} <span class="muted">({w.type})</span>
                  </td>
                  <td>{duration(props.now - w.startedAt)}</td>
                  <td>{w.recipients.join(", ") || "—"}</td>
                  <td>{w.reminders}</td>
                  <td>
                    <When at={w.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
