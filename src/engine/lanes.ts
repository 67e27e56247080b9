import {
  type HumanWait,
  type ParallelWait,
  type Pending,
  type RunState,
  type RunStatus,
  TERMINAL,
} from "./state";

// A run advances in lanes: the run itself, and each branch of a parallel step it is in (branches of a
// branch's parallel step nest). Every other engine function works on one lane through a view of the
// run (the lane's status, current step and pending over the run's shared context); parallel.ts folds
// what it did back into the whole run.

/** What every lane has: the run's own three fields, or a branch's. */
export interface Lane {
  status: RunStatus;
  currentStep: string | null;
  pending: Pending | null;
}

export type LanePath = readonly number[];

/** The lane at `path`: the run itself at []. */
export function laneAt(run: Lane, path: LanePath): Lane {
  let lane: Lane = run;
  for (const i of path) {
    const branch = lane.pending?.kind === "parallel" ? lane.pending.branches[i] : undefined;
    if (!branch) throw new Error(`no branch at lane ${path.join(".")}`);
    lane = branch;
  }
  return lane;
}

/** Every lane not split into branches, with its path, in branch order (the run itself when it has none). */
export function leafLanes(run: Lane): Array<{ path: number[]; lane: Lane }> {
  const out: Array<{ path: number[]; lane: Lane }> = [];
  const walk = (lane: Lane, path: number[]) => {
    if (lane.pending?.kind !== "parallel") {
      out.push({ path, lane });
      return;
    }
    lane.pending.branches.forEach((b, i) => {
      walk(b, [...path, i]);
    });
  };
  walk(run, []);
  return out;
}

/** The run as the lane at `path` sees it; the run itself at []. */
export function laneView(run: RunState, path: LanePath): RunState {
  if (path.length === 0) return run;
  const lane = laneAt(run, path);
  const { status, currentStep, pending } = lane;
  return { ...run, status, currentStep, pending, lane: [...path] };
}

/** The path of the first lane whose step in flight `match` accepts, or null. */
export function findLane(
  run: RunState,
  match: (p: Exclude<Pending, ParallelWait>) => boolean,
): number[] | null {
  if (TERMINAL.has(run.status)) return null;
  for (const { path, lane } of leafLanes(run)) {
    if (lane.pending && lane.pending.kind !== "parallel" && match(lane.pending)) return path;
  }
  return null;
}

/** The lane holding the open human wait `waitId`, or null. */
export const laneOfWait = (run: RunState, waitId: string) =>
  findLane(run, (p) => p.kind === "human" && p.waitId === waitId);

/** The lane whose step attempt `attemptId` is in flight (an AI job, a wait, a child run), or null. */
export const laneOfAttempt = (run: RunState, attemptId: string) =>
  findLane(run, (p) => p.attemptId === attemptId);

/** The run seen from the lane holding wait `waitId`; the run itself when no lane holds it. */
export function focusWait(run: RunState, waitId: string): RunState {
  return laneView(run, laneOfWait(run, waitId) ?? []);
}

/** The run's open human waits, in branch order (one at most without parallel steps). */
export function openHumanWaits(run: Lane): HumanWait[] {
  if (TERMINAL.has(run.status)) return [];
  return leafLanes(run).flatMap(({ lane }) =>
    lane.status === "waiting" && lane.pending?.kind === "human" ? [lane.pending] : [],
  );
}

/** The run seen from its first open human wait (what one-wait readers show), else the run itself. */
export function focusFirstWait(run: RunState): RunState {
  const first = openHumanWaits(run)[0];
  return first ? focusWait(run, first.waitId) : run;
}

/** The first lane whose current step can execute now, or null when every lane waits or ended. */
export function runnableLane(run: RunState): number[] | null {
  if (run.status !== "running") return null;
  for (const { path, lane } of leafLanes(run)) {
    if (lane.status === "running" && !lane.pending && lane.currentStep) return path;
  }
  return null;
}
