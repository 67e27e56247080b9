/** `parallel` step rules: at most 10 branches, each branch's steps its own, nesting at most 2 deep, no `timeout`. */
import type { IssueList } from "./issues";
import { asObject, own, ownString, type RawStep, rawList, rawSteps } from "./raw";
import { type Edge, edgesOf, reachableFrom } from "./rules-graph";
import { MAX_PARALLEL_BRANCHES, MAX_PARALLEL_DEPTH } from "./types";

/** What the rules of one branch look at: the whole definition's steps, edges and start. */
interface Graph {
  steps: RawStep[];
  edges: Edge[];
  start: string | undefined;
}

/**
 * Checks every parallel step: a branch's steps (all it reaches from its `start`) are reached from
 * nowhere else, never lead back to the parallel step nor to its `next`, send no review back outside
 * the branch, and hold at most one more level of parallel steps. Other steps reaching into a branch
 * would run it twice, or outside the branch that a join waits for.
 */
export function checkParallel(raw: unknown, issues: IssueList): void {
  const steps = rawSteps(raw);
  const graph: Graph = {
    steps,
    edges: steps.flatMap(edgesOf),
    start: ownString(asObject(raw), "start_step"),
  };
  const ids = new Set(steps.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  /** Each parallel step's index, and every step its branches reach. */
  const inside = new Map<string, { index: number; steps: Set<string> }>();
  for (const p of steps) {
    if (p.type !== "parallel" || p.id === undefined) continue;
    checkKeys(p, issues);
    const all = new Set<string>();
    for (const { index, item } of rawList(p.step, "branches")) {
      const first = ownString(item, "start");
      if (first === undefined || !ids.has(first)) continue;
      const region = reachableFrom(first, graph.edges);
      for (const id of region) all.add(id);
      checkBranch(graph, p, { index, first, region }, issues);
    }
    inside.set(p.id, { index: p.index, steps: all });
  }
  checkDepth(inside, issues);
}

function checkKeys(p: RawStep, issues: IssueList): void {
  const count = rawList(p.step, "branches").length;
  if (count > MAX_PARALLEL_BRANCHES) {
    issues.add(
      ["steps", p.index, "branches"],
      `a parallel step has at most ${MAX_PARALLEL_BRANCHES} branches (this one has ${count})`,
    );
  }
  if (own(p.step, "timeout") !== undefined) {
    issues.add(
      ["steps", p.index, "timeout"],
      "a parallel step waits as long as its branches; give the branches' own steps timeouts instead",
    );
  }
}

function checkBranch(
  g: Graph,
  p: RawStep,
  branch: { index: number; first: string; region: Set<string> },
  issues: IssueList,
): void {
  const { index, first, region } = branch;
  const at = ["steps", p.index, "branches", index, "start"];
  const where = `branch ${index} of parallel step "${p.id}" (from "${first}")`;
  const after = ownString(p.step, "next");
  if (p.id !== undefined && region.has(p.id)) {
    issues.add(at, `${where} leads back to its parallel step; a branch ends with a step without next`);
  }
  if (after !== undefined && region.has(after)) {
    issues.add(
      at,
      `${where} reaches "${after}", the parallel step's next; a branch ends with a step without next, and the parallel step goes on to "${after}" once its branches ended`,
    );
  }
  if (g.start !== undefined && region.has(g.start)) {
    issues.add(["start_step"], `start_step "${g.start}" is a step of ${where}`);
  }
  for (const s of g.steps) {
    const sendsBack = s.type === "approval" && own(s.step, "allow_changes") === true;
    const reviewed = sendsBack ? ownString(s.step, "review") : undefined;
    if (s.id && region.has(s.id) && reviewed !== undefined && !region.has(reviewed)) {
      issues.add(
        ["steps", s.index, "review"],
        `approval "${s.id}" is in ${where} but sends back to "${reviewed}" outside it; with allow_changes, review an ai_generate step of the same branch`,
      );
    }
  }
  for (const e of g.edges) {
    if (!region.has(e.target) || (e.from.id !== undefined && region.has(e.from.id))) continue;
    // The parallel step's own entry into this branch; its `next` into the branch is reported above.
    if (e.from === p && (e.branch === index || e.branch === undefined)) continue;
    issues.add(e.path, `step "${e.target}" belongs to ${where}: only steps of that branch may lead to it`);
  }
}

function checkDepth(inside: Map<string, { index: number; steps: Set<string> }>, issues: IssueList): void {
  const depth = (id: string, seen: Set<string>): number => {
    if (seen.has(id)) return 0; // a cycle: reported by checkBranch
    seen.add(id);
    let inner = 0;
    for (const q of inside.get(id)?.steps ?? []) if (inside.has(q)) inner = Math.max(inner, depth(q, seen));
    return 1 + inner;
  };
  for (const [id, { index }] of inside) {
    const levels = depth(id, new Set());
    if (levels > MAX_PARALLEL_DEPTH) {
      issues.add(
        ["steps", index],
        `parallel steps nest ${levels} deep from "${id}"; at most ${MAX_PARALLEL_DEPTH} (a parallel step inside a branch of another)`,
      );
    }
  }
}
