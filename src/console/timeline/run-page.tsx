import { roleAllows } from "../../api/middleware/roles";
import type { Role } from "../../config/env";
import type { Definition } from "../../definitions/types";
import { openHumanWaits } from "../../engine/lanes";
import { TERMINAL } from "../../engine/state";
import type { RunEvent, RunStory } from "../run-reads";
import { Code, When } from "../ui/format";
import { CsrfField } from "../ui/layout";
import { timelineTree } from "./branches";
import { Summary } from "./run-summary";
import { StepNode, type TreeContext } from "./step-tree";

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
export function RunPage(props: {
  story: RunStory;
  /** The run's workflow version (null: no longer stored): it tells which branch each step ran in. */
  definition: Definition | null;
  role: Role;
  csrf: string;
  now: number;
  notice?: string;
}) {
  const { story, now } = props;
  const r = story.run.record;
  const ctx: TreeContext = {
    eventsOf: (i) => eventsOf(story, i),
    waits: new Map(openHumanWaits(r).map((w) => [w.seq, w])),
    now,
  };
  const tree = timelineTree(props.definition, story.history.steps, r, story.events);
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
      {tree.map((node) => (
        <StepNode node={node} ctx={ctx} />
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
