import { stepsReachableFrom } from "../../definitions/rules-graph";
import type { Definition, StepType } from "../../definitions/types";

/** A step as the graph draws it. */
export interface GraphNode {
  id: string;
  type: StepType;
  start: boolean;
}

/** A possible move from one step to another, labelled with why it is taken (a branch's condition). */
export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

const MAX_LABEL = 48;
const clip = (s: string) => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

/** A parallel step's `next`: taken once every branch ended (`all`), or the first one (`any`). */
const JOIN_LABEL = { all: "joined", any: "first done" } as const;

/**
 * The definition's steps and every transition between them: next, branches (by condition), default,
 * on_reject, and a parallel step's branches (`branch 1`…, `any: branch 1`… when the first one wins).
 */
export function stepGraph(def: Definition): { nodes: GraphNode[]; edges: GraphEdge[]; ranks: GraphEdge[] } {
  const nodes = def.steps.map((s) => ({ id: s.id, type: s.type, start: s.id === def.start_step }));
  const edges: GraphEdge[] = [];
  for (const s of def.steps) {
    if (s.type === "conditional") {
      for (const b of s.branches) edges.push({ from: s.id, to: b.next, label: clip(b.when) });
      if (s.default) edges.push({ from: s.id, to: s.default, label: "default" });
    }
    if (s.type === "parallel") {
      const any = s.join === "any" ? "any: " : "";
      s.branches.forEach((b, i) => {
        edges.push({ from: s.id, to: b.start, label: `${any}branch ${i + 1}` });
      });
      if (s.next) edges.push({ from: s.id, to: s.next, label: JOIN_LABEL[s.join] });
      continue;
    }
    if (s.type === "approval" && s.on_reject) {
      edges.push({ from: s.id, to: s.on_reject, label: "rejected" });
      if (s.next) edges.push({ from: s.id, to: s.next, label: "approved" });
      continue;
    }
    if (s.next) edges.push({ from: s.id, to: s.next });
  }
  const known = new Set(nodes.map((n) => n.id));
  const drawn = edges.filter((e) => known.has(e.from) && known.has(e.to));
  return { nodes, edges: drawn, ranks: joinRanks(def, drawn) };
}

/**
 * Edges for the layout only, never drawn: from every step a parallel step's branch ends with to the
 * parallel step's `next`, so that step is drawn below the branches, not beside them.
 */
function joinRanks(def: Definition, edges: GraphEdge[]): GraphEdge[] {
  const leaving = new Set(edges.map((e) => e.from));
  const out: GraphEdge[] = [];
  for (const s of def.steps) {
    if (s.type !== "parallel" || !s.next) continue;
    for (const b of s.branches) {
      for (const id of stepsReachableFrom(def, b.start))
        if (!leaving.has(id)) out.push({ from: id, to: s.next });
    }
  }
  return out;
}
