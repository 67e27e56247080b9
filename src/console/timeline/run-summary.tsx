import { leafLanes } from "../../engine/lanes";
import { TERMINAL } from "../../engine/state";
import type { RunRecord } from "../../run-db/run-model";
import type { RunStory } from "../run-reads";
import { duration, Status, usd, When } from "../ui/format";
import { aiTotals } from "./ai-totals";

/** While the run is in a parallel step: the step each of its branches that still runs is at. */
function branchSteps(r: RunRecord): string[] {
  if (r.pending?.kind !== "parallel" || TERMINAL.has(r.status)) return [];
  return leafLanes(r).flatMap(({ lane }) =>
    lane.currentStep && !TERMINAL.has(lane.status) ? [lane.currentStep] : [],
  );
}

/** The run at a glance: status, workflow, parent run, where it stands, when, and what its AI used. */
export function Summary(props: { story: RunStory; now: number }) {
  const r = props.story.run.record;
  const ai = aiTotals(props.story.history.steps);
  const inBranches = branchSteps(r);
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
      {props.story.run.parentRunId ? (
        <>
          <dt>Parent run</dt>
          <dd>
            <a href={`/console/runs/${props.story.run.parentRunId}`}>{props.story.run.parentRunId}</a>
          </dd>
        </>
      ) : null}
      <dt>Current step</dt>
      <dd>
        {r.currentStep ?? "—"}
        {inBranches.length > 0 ? ` (in its branches: ${inBranches.join(", ")})` : null}
      </dd>
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
