import type { HumanWait } from "../../engine/state";
import type { RunEvent } from "../run-reads";
import { Status } from "../ui/format";
import type { BranchColumn, TimelineNode } from "./branches";
import { StepCard } from "./step-card";

/** What every card of the tree needs: its events by history index, the open waits by step seq, now. */
export interface TreeContext {
  eventsOf: (index: number) => RunEvent[];
  waits: Map<number, HumanWait>;
  now: number;
}

/** A parallel step's branches side by side, one column each (they stack on a narrow screen). */
function Branches(props: { node: TimelineNode; columns: BranchColumn[]; ctx: TreeContext }) {
  const anchor = `step-${props.node.step.seq}`;
  return (
    <div class="branches">
      {props.columns.map((c, i) => (
        <section class="branch" id={`${anchor}-b${i + 1}`} aria-labelledby={`${anchor}-b${i + 1}-h`}>
          <h4 id={`${anchor}-b${i + 1}-h`}>
            Branch {i + 1}: {c.start} <Status status={c.status} />
          </h4>
          {c.nodes.length === 0 ? <p class="muted">No step has run yet.</p> : null}
          {c.nodes.map((n) => (
            <StepNode node={n} ctx={props.ctx} />
          ))}
        </section>
      ))}
    </div>
  );
}

/** One step execution's card; a parallel step's card holds its branches. */
export function StepNode(props: { node: TimelineNode; ctx: TreeContext }) {
  const { node, ctx } = props;
  return (
    <StepCard
      step={node.step}
      events={ctx.eventsOf(node.index)}
      wait={ctx.waits.get(node.step.seq)}
      now={ctx.now}
    >
      {node.branches ? <Branches node={node} columns={node.branches} ctx={ctx} /> : null}
    </StepCard>
  );
}
