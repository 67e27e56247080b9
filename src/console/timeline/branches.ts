import { stepsReachableFrom } from "../../definitions/rules-graph";
import type { Definition } from "../../definitions/types";
import { type ParallelWait, type Pending, type RunState, TERMINAL } from "../../engine/state";
import type { StepView } from "../../run-db/history";
import type { RunEvent } from "../run-reads";

// The timeline as a tree: a parallel step's execution holds one column per branch, each with the step
// executions that ran in that branch (nested parallel steps nest likewise). Which branch a step ran in
// is read from the definition: the save-time rules (definitions/rules-parallel.ts) make the steps a
// branch's start reaches that branch's own, so a step belongs to the latest parallel execution before
// it whose branch reaches it.

/** One step execution on the timeline: its index in the run's history, and its branches if it split. */
export interface TimelineNode {
  step: StepView;
  index: number;
  branches?: BranchColumn[];
}

/** One branch of a parallel step's execution: its start, where it stands, the steps it ran. */
export interface BranchColumn {
  start: string;
  status: string;
  nodes: TimelineNode[];
}

type Regions = Map<string, Array<{ start: string; steps: Set<string> }>>;

/** Per parallel step of the definition, the step ids each of its branches reaches (in branch order). */
function branchRegions(def: Definition): Regions {
  const out: Regions = new Map();
  for (const s of def.steps) {
    if (s.type !== "parallel") continue;
    out.set(
      s.id,
      s.branches.map((b) => ({ start: b.start, steps: stepsReachableFrom(def, b.start) })),
    );
  }
  return out;
}

/** The parallel wait of attempt `attemptId` anywhere in the run's pending tree, or undefined. */
function liveSplit(pending: Pending | null, attemptIds: Set<string>): ParallelWait | undefined {
  if (pending?.kind !== "parallel") return undefined;
  if (attemptIds.has(pending.attemptId)) return pending;
  for (const b of pending.branches) {
    const found = liveSplit(b.pending, attemptIds);
    if (found) return found;
  }
  return undefined;
}

/**
 * Where a branch stands: its `branch.completed` / `branch.cancelled` event, else the live branch in the
 * run's pending, else (the run ended with the branch open) its last step's end, the run's when that
 * step ended it, or its parallel step's.
 */
function branchStatus(split: StepView, column: BranchColumn, run: RunState, events: RunEvent[]): string {
  const ids = new Set(split.attempts.map((a) => a.attempt_id));
  const named = (type: string) =>
    events.some(
      (e) =>
        e.type === type &&
        e.attempt_id !== null &&
        ids.has(e.attempt_id) &&
        (e as { data?: { branch?: unknown } }).data?.branch === column.start,
    );
  if (named("branch.completed")) return "completed";
  if (named("branch.cancelled")) return "cancelled";
  const live = liveSplit(run.pending, ids)?.branches.find((b) => b.start === column.start);
  if (live) return live.status;
  const last = column.nodes[column.nodes.length - 1]?.step.status;
  if (last === "cancelled" || last === "failed") return last;
  // A branch whose last step ended the run (a rejection): the run's end is the branch's.
  if (last !== undefined && TERMINAL.has(run.status)) return run.status;
  if (split.status === "cancelled") return "cancelled";
  return TERMINAL.has(run.status) ? run.status : split.status;
}

/** The run's history as a tree of parallel steps' branches; without a definition, flat. */
export function timelineTree(
  def: Definition | null,
  steps: StepView[],
  run: RunState,
  events: RunEvent[],
): TimelineNode[] {
  const regions: Regions = def ? branchRegions(def) : new Map();
  const roots: TimelineNode[] = [];
  const splits: Array<{ node: TimelineNode; steps: Array<Set<string>> }> = [];
  steps.forEach((step, index) => {
    const node: TimelineNode = { step, index };
    let home = roots;
    for (let i = splits.length - 1; i >= 0; i--) {
      const split = splits[i];
      const at = split?.steps.findIndex((s) => s.has(step.step_id)) ?? -1;
      const column = at >= 0 ? split?.node.branches?.[at] : undefined;
      if (column) {
        home = column.nodes;
        break;
      }
    }
    home.push(node);
    const branches = step.type === "parallel" ? regions.get(step.step_id) : undefined;
    if (branches) {
      node.branches = branches.map((b) => ({ start: b.start, status: "running", nodes: [] }));
      splits.push({ node, steps: branches.map((b) => b.steps) });
    }
  });
  for (const { node } of splits) {
    for (const column of node.branches ?? []) column.status = branchStatus(node.step, column, run, events);
  }
  return roots;
}
