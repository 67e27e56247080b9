import { describe, expect, it } from "vitest";
import { layoutGraph } from "../../src/console/graph/layout";
import { stepGraph } from "../../src/console/graph/step-graph";
import { parseDefinitionSource } from "../../src/definitions/parse";
import type { Definition } from "../../src/definitions/types";

function definition(yaml: string): Definition {
  const parsed = parseDefinitionSource(yaml, "yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.definition;
}

// An all-join with a nested any-join in its second branch, then a last step.
const NESTED = `
id: graph-parallel
name: Parallel graph
start_step: split
steps:
  - id: split
    type: parallel
    branches: [{ start: legal }, { start: inner }]
    next: publish
  - id: legal
    type: approval
    approvers: ["legal@acme.test"]
  - id: inner
    type: parallel
    join: any
    branches: [{ start: brand }, { start: copy }]
    next: after_inner
  - id: brand
    type: form
    fields: [{ name: note, type: string }]
  - id: copy
    type: form
    fields: [{ name: note, type: string }]
  - id: after_inner
    type: form
    fields: [{ name: ok, type: boolean }]
  - id: publish
    type: form
    fields: [{ name: ok, type: boolean }]
`;

describe("stepGraph", () => {
  it("draws a parallel step's branches and its join", () => {
    const { nodes, edges } = stepGraph(definition(NESTED));
    expect(nodes.find((n) => n.id === "split")).toEqual({ id: "split", type: "parallel", start: true });
    expect(edges).toEqual([
      { from: "split", to: "legal", label: "branch 1" },
      { from: "split", to: "inner", label: "branch 2" },
      { from: "split", to: "publish", label: "joined" },
      { from: "inner", to: "brand", label: "any: branch 1" },
      { from: "inner", to: "copy", label: "any: branch 2" },
      { from: "inner", to: "after_inner", label: "first done" },
    ]);
  });

  it("places a parallel step's next below every step of its branches", () => {
    const { nodes, edges, ranks } = stepGraph(definition(NESTED));
    // Every step of a branch that leads nowhere ranks above its parallel step's next (the inner
    // parallel's branch ends above both its own next and the outer one's).
    expect(ranks).toEqual([
      { from: "legal", to: "publish" },
      { from: "after_inner", to: "publish" },
      { from: "brand", to: "publish" },
      { from: "copy", to: "publish" },
      { from: "brand", to: "after_inner" },
      { from: "copy", to: "after_inner" },
    ]);
    const placed = layoutGraph(nodes, edges, ranks);
    const y = (id: string) => placed.nodes.find((n) => n.id === id)?.y ?? Number.NaN;
    for (const id of ["legal", "brand", "copy", "after_inner"]) expect(y("publish")).toBeGreaterThan(y(id));
    expect(y("after_inner")).toBeGreaterThan(y("brand"));
    // Layout-only edges are not drawn.
    expect(placed.edges).toHaveLength(edges.length);
  });

  it("draws a parallel step without next with its branch edges only, and lays it out", () => {
    const def = definition(`
id: graph-parallel-end
name: Parallel at the end
start_step: split
steps:
  - id: split
    type: parallel
    join: any
    branches: [{ start: a }, { start: b }]
  - id: a
    type: form
    fields: [{ name: note, type: string }]
  - id: b
    type: form
    fields: [{ name: note, type: string }]
`);
    const { nodes, edges } = stepGraph(def);
    expect(edges.map((e) => e.label)).toEqual(["any: branch 1", "any: branch 2"]);
    const placed = layoutGraph(nodes, edges);
    const y = (id: string) => placed.nodes.find((n) => n.id === id)?.y ?? Number.NaN;
    const x = (id: string) => placed.nodes.find((n) => n.id === id)?.x ?? Number.NaN;
    // Both branches side by side, one rank below the split, in the definition's order.
    expect(y("a")).toBe(y("b"));
    expect(y("a")).toBeGreaterThan(y("split"));
    expect(x("a")).toBeLessThan(x("b"));
    expect(placed.edges.every((e) => e.labelAt !== undefined)).toBe(true);
  });
});
