import { roleAllows } from "../../api/middleware/roles";
import type { Role } from "../../config/env";
import { TERMINAL } from "../../engine/state";
import type { RunEvent, RunStory } from "../run-reads";
import { Code, duration, Status, usd, When } from "../ui/format";
import { CsrfField } from "../ui/layout";
import { aiTotals } from "./ai-totals";
import { StepCard } from "./step-card";

/**
 * The events of the i-th step execution: those naming one of its attempts, and those naming only its
 * step (emails, reminders) from its start until the same step's next execution starts (a loop).
 */
function eventsOf(story: RunStory, i: number): RunEvent[] {
  const steps = story.history.steps;
  const step = steps[i];
  if (!step) return [];
  const ids = new Set(step.attempts.map((a) => a.attempt_id));
  const from = Date.parse(step.attempts[0]?.started_at ?? "");
  const again = steps.slice(i + 1).find((s) => s.step_id === step.step_id);
  const until = again ? Date.parse(again.attempts[0]?.started_at ?? "") : Number.POSITIVE_INFINITY;
  return story.events.filter((e) => {
    if (e.step_id !== step.step_id) return false;
    if (e.attempt_id) return ids.has(e.attempt_id);
    const at = Date.parse(e.created_at);
    return at >= from && at < until;
  });
}

/** Whether `role` may cancel runs (the API's one role table decides). */
export const mayCancel = (role: Role, runId: string) =>
  roleAllows(role, "POST", `/v1/executions/${runId}/cancel`);

function Summary(props: { story: RunStory; now: number }) {
  const r = props.story.run.record;
  const ai = aiTotals(props.story.history.steps);
  return (
    <dl>
      <dt>Status</dt>
      <dd>
        <Status status={r.status} />
      </dd>
      <dt>Workflow</dt>
      <dd>
        <a href={`/console/workflows/${r.workflowId}?version=${r.workflowVersion}`}>
          {r.workflowId} v{r.workflowVersion}
        </a>
      </dd>
      <dt>Current step</dt>
      <dd>{r.currentStep ?? "—"}</dd>
      <dt>Steps executed</dt>
      <dd>{r.stepsExecuted}</dd>
      <dt>Created</dt>
      <dd>
        <When at={r.createdAt} /> ({duration(props.now - r.createdAt)} ago)
      </dd>
      <dt>Updated</dt>
      <dd>
        <When at={r.updatedAt} />
      </dd>
      {ai.calls > 0 ? (
        <>
          <dt>AI</dt>
          <dd>
            {ai.calls} call{ai.calls === 1 ? "" : "s"}, tokens {ai.tokensIn} in / {ai.tokensOut} out, cost{" "}
            {usd(ai.costUsd)}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function RunError(props: { story: RunStory }) {
  const e = props.story.run.record.error;
  if (!e) return null;
  return (
    <div class="alert" role="note" aria-label="Why the run failed">
      <p>
        <strong>{e.code}</strong>
        {e.step_id ? ` in step ${e.step_id}` : ""}: {e.message}
      </p>
      {e.details && e.details.length > 0 ? <Code id="run-error-details" value={e.details} /> : null}
    </div>
  );
}

function Cancel(props: { runId: string; csrf: string }) {
  return (
    <form method="post" action={`/console/runs/${props.runId}/cancel`} class="actions">
      <CsrfField token={props.csrf} />
      <button type="submit" class="danger">
        Cancel this run
      </button>
    </form>
  );
}

/** The run timeline: the story of one run, step by step, with its events and its context. */
export function RunPage(props: { story: RunStory; role: Role; csrf: string; now: number; notice?: string }) {
  const { story, now } = props;
  const r = story.run.record;
  const wait = r.pending?.kind === "human" && r.status === "waiting" ? r.pending : undefined;
  const live = !TERMINAL.has(r.status);
  return (
    <>
      {props.notice ? (
        <div class="alert success" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      <Summary story={story} now={now} />
      <RunError story={story} />
      {live && mayCancel(props.role, r.id) ? <Cancel runId={r.id} csrf={props.csrf} /> : null}
      {live && !mayCancel(props.role, r.id) ? (
        <p class="muted">Your role ({props.role}) may not cancel runs.</p>
      ) : null}
      {live ? (
        <p class="muted" data-refresh-note="true">
          This run is live: the page refreshes every 5 seconds.
        </p>
      ) : null}
      <h2>Steps</h2>
      {story.history.steps.length === 0 ? <p>No step has run yet.</p> : null}
      {story.history.steps.map((step, i) => (
        <StepCard
          step={step}
          events={eventsOf(story, i)}
          wait={wait && wait.seq === step.seq ? wait : undefined}
          now={now}
        />
      ))}
      <h2>Context</h2>
      <Code id="run-context" value={r.context} label="Run context" />
      <details>
        <summary>
          All events ({story.events.length}
          {story.eventsTruncated ? ", first ones only" : ""})
        </summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Event</th>
                <th scope="col">Step</th>
                <th scope="col">When</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {story.events.map((e) => (
                <tr>
                  <td>{e.id}</td>
                  <td>{e.type}</td>
                  <td>{e.step_id ?? ""}</td>
                  <td>
                    <When at={e.created_at} />
                  </td>
                  <td>{"data" in e ? <code>{JSON.stringify(e.data)}</code> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
