import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/console/run-reads";
import { type TimelineNode, timelineTree } from "../../src/console/timeline/branches";
import { parseDefinitionSource } from "../../src/definitions/parse";
import type { Definition } from "../../src/definitions/types";
import type { RunState } from "../../src/engine/state";
import type { StepView } from "../../src/run-db/history";

function definition(yaml: string): Definition {
  const parsed = parseDefinitionSource(yaml, "yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.definition;
}

const form = (id: string, next?: string) =>
  `  - { id: ${id}, type: form, fields: [{ name: n, type: string }]${next ? `, next: ${next}` : ""} }`;

// An all-join whose second branch holds an any-join, then a step after the outer join.
const NESTED = definition(`
id: nested
name: Nested
start_step: split
steps:
  - { id: split, type: parallel, branches: [{ start: a }, { start: inner }], next: done }
  - { id: inner, type: parallel, join: any, branches: [{ start: x }, { start: y }], next: z }
${form("a")}
${form("x")}
${form("y")}
${form("z")}
${form("done")}
`);

/** Step executions in order, each with one attempt `at-<seq>`. */
const history = (rows: Array<[string, string, string]>): StepView[] =>
  rows.map(([step_id, type, status], i) => ({
    seq: i + 1,
    step_id,
    type,
    status,
    attempts: [
      {
        attempt_id: `at-${i + 1}`,
        attempt: 1,
        status,
        started_at: new Date(i * 1000).toISOString(),
        finished_at: null,
        duration_ms: null,
      },
    ],
  }));

const event = (type: string, seq: number, branch: string): RunEvent => ({
  id: seq,
  type,
  step_id: null,
  attempt_id: `at-${seq}`,
  data: { branch },
  created_at: new Date(0).toISOString(),
});

const run = (status: RunState["status"], pending: RunState["pending"] = null) =>
  ({ status, pending }) as RunState;

/** The tree as step ids, a split as `{id: [[branch start, status, ...steps]]}`. */
function shape(nodes: TimelineNode[]): unknown[] {
  return nodes.map((n) =>
    n.branches
      ? { [n.step.step_id]: n.branches.map((b) => [b.start, b.status, ...shape(b.nodes)]) }
      : n.step.step_id,
  );
}

describe("timelineTree", () => {
  it("puts each step under the branch that reaches it, nested parallels nested", () => {
    const steps = history([
      ["split", "parallel", "completed"],
      ["a", "form", "completed"],
      ["inner", "parallel", "completed"],
      ["x", "form", "completed"],
      ["y", "form", "cancelled"],
      ["z", "form", "completed"],
      ["done", "form", "waiting"],
    ]);
    const events = [
      event("branch.completed", 3, "x"),
      event("branch.cancelled", 3, "y"),
      event("branch.completed", 1, "a"),
      event("branch.completed", 1, "inner"),
    ];
    expect(shape(timelineTree(NESTED, steps, run("waiting"), events))).toEqual([
      {
        split: [
          ["a", "completed", "a"],
          [
            "inner",
            "completed",
            {
              inner: [
                ["x", "completed", "x"],
                ["y", "cancelled", "y"],
              ],
            },
            "z",
          ],
        ],
      },
      "done",
    ]);
    // Without a definition (its version is gone), the timeline stays flat.
    expect(shape(timelineTree(null, steps, run("waiting"), events))).toEqual(steps.map((s) => s.step_id));
  });

  it("reads a live branch's status from the run's pending, and an ended run's from its steps", () => {
    const steps = history([
      ["split", "parallel", "running"],
      ["a", "form", "waiting"],
      ["inner", "parallel", "running"],
    ]);
    const live = run("waiting", {
      kind: "parallel",
      stepId: "split",
      seq: 1,
      attemptId: "at-1",
      startedAt: 0,
      join: "all",
      branches: [
        { start: "a", status: "waiting", currentStep: "a", pending: null },
        { start: "inner", status: "running", currentStep: "inner", pending: null },
      ],
    });
    const tree = timelineTree(NESTED, steps, live, []);
    expect(shape(tree)).toEqual([
      {
        split: [
          ["a", "waiting", "a"],
          [
            "inner",
            "running",
            {
              inner: [
                ["x", "running"],
                ["y", "running"],
              ],
            },
          ],
        ],
      },
    ]);
    const failed = history([
      ["split", "parallel", "cancelled"],
      ["a", "form", "failed"],
      ["inner", "parallel", "cancelled"],
    ]);
    expect(shape(timelineTree(NESTED, failed, run("failed"), []))).toEqual([
      {
        split: [
          ["a", "failed", "a"],
          [
            "inner",
            "cancelled",
            {
              inner: [
                ["x", "cancelled"],
                ["y", "cancelled"],
              ],
            },
          ],
        ],
      },
    ]);
  });

  it("gives a branch whose step rejected the run the run's status, and the others cancelled", () => {
    const steps = history([
      ["split", "parallel", "cancelled"],
      ["a", "approval", "completed"],
      ["inner", "parallel", "cancelled"],
      ["x", "form", "cancelled"],
    ]);
    expect(shape(timelineTree(NESTED, steps, run("rejected"), []))).toEqual([
      {
        split: [
          ["a", "rejected", "a"],
          [
            "inner",
            "cancelled",
            {
              inner: [
                ["x", "cancelled", "x"],
                ["y", "cancelled"],
              ],
            },
          ],
        ],
      },
    ]);
  });

  it("puts a loop's second pass under the parallel step's second execution", () => {
    const def = definition(`
id: loop
name: Loop
start_step: split
steps:
  - { id: split, type: parallel, branches: [{ start: a }, { start: b }], next: check }
  - { id: check, type: conditional, branches: [{ when: "runtime.again == true", next: split }], default: end }
${form("a")}
${form("b")}
${form("end")}
`);
    const steps = history([
      ["split", "parallel", "completed"],
      ["a", "form", "completed"],
      ["b", "form", "completed"],
      ["check", "conditional", "completed"],
      ["split", "parallel", "running"],
      ["b", "form", "waiting"],
    ]);
    const events = [event("branch.completed", 1, "a"), event("branch.completed", 1, "b")];
    expect(shape(timelineTree(def, steps, run("waiting"), events))).toEqual([
      {
        split: [
          ["a", "completed", "a"],
          ["b", "completed", "b"],
        ],
      },
      "check",
      // No pending given: an open branch takes its parallel step's status.
      {
        split: [
          ["a", "running"],
          ["b", "running", "b"],
        ],
      },
    ]);
  });
});
