/** Step graph rules: unique ids, targets that exist, every step reachable from start_step. */
import type { IssueList, PathSegment } from "./issues";
import { asObject, ownString, type RawStep, rawList, rawSteps } from "./raw";

export interface Edge {
  from: RawStep;
  path: PathSegment[];
  target: string;
  /** Set on a parallel step's edge into a branch: that branch's index. */
  branch?: number;
}

/** Checks duplicate ids, dangling targets and unreachable steps. */
export function checkGraph(raw: unknown, issues: IssueList): void {
  const steps = rawSteps(raw);
  const byId = new Map<string, RawStep>();
  for (const s of steps) {
    if (s.id === undefined) continue;
    const first = byId.get(s.id);
    if (first) {
      issues.add(["steps", s.index, "id"], `duplicate step id "${s.id}" (also steps[${first.index}])`);
    } else {
      byId.set(s.id, s);
    }
  }

  const edges = steps.flatMap(edgesOf);
  for (const edge of edges) {
    if (!byId.has(edge.target)) issues.add(edge.path, `no step has id "${edge.target}"`);
  }
  for (const s of steps) {
    if (s.type === "conditional" && ownString(s.step, "next") !== undefined) {
      issues.add(
        ["steps", s.index, "next"],
        "a conditional step continues through branches and default; use default instead of next",
      );
    }
  }

  const start = ownString(asObject(raw), "start_step");
  if (start === undefined) return;
  if (!byId.has(start)) {
    issues.add(["start_step"], `no step has id "${start}"`);
    return;
  }
  const reached = reachableFrom(start, edges);
  for (const s of steps) {
    if (s.id !== undefined && byId.get(s.id) === s && !reached.has(s.id)) {
      issues.add(["steps", s.index], `step "${s.id}" is unreachable from start_step "${start}"`);
    }
  }
}

/** Every step id this step can continue to, with the path of the key that names it. */
export function edgesOf(s: RawStep): Edge[] {
  const edges: Edge[] = [];
  const at = (key: string) => {
    const target = ownString(s.step, key);
    if (target !== undefined) edges.push({ from: s, path: ["steps", s.index, key], target });
  };
  at("next");
  if (s.type === "approval") at("on_reject");
  if (s.type === "conditional") {
    at("default");
    for (const { index, item } of rawList(s.step, "branches")) {
      const target = ownString(item, "next");
      if (target !== undefined)
        edges.push({ from: s, path: ["steps", s.index, "branches", index, "next"], target });
    }
  }
  if (s.type === "parallel") {
    for (const { index, item } of rawList(s.step, "branches")) {
      const target = ownString(item, "start");
      if (target !== undefined)
        edges.push({ from: s, path: ["steps", s.index, "branches", index, "start"], target, branch: index });
    }
  }
  return edges;
}

/** The ids of the steps a run can reach from step `start` (itself included), by the raw definition's edges. */
export function stepsReachableFrom(raw: unknown, start: string): Set<string> {
  return reachableFrom(start, rawSteps(raw).flatMap(edgesOf));
}

export function reachableFrom(start: string, edges: Edge[]): Set<string> {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (e.from.id === undefined) continue;
    const list = out.get(e.from.id) ?? [];
    list.push(e.target);
    out.set(e.from.id, list);
  }
  const reached = new Set<string>([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of out.get(id) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  return reached;
}
