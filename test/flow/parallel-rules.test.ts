import { describe, expect, it } from "vitest";
import { parseDefinitionSource } from "../../src/definitions/parse";
import type { DefinitionIssue } from "../../src/definitions/types";

/** A definition whose steps are `steps` (YAML list items, indented 2), started at `split`. */
const source = (steps: string) => `
id: par
name: Parallel rules
start_step: split
steps:
${steps}`;

const form = (id: string, next?: string) =>
  `  - { id: ${id}, type: form, fields: [{ name: x, type: string }]${next ? `, next: ${next}` : ""} }\n`;

function issues(steps: string): DefinitionIssue[] {
  const result = parseDefinitionSource(source(steps), "yaml");
  return result.ok ? [] : result.issues;
}

const split = (branches: string[], extra = "") =>
  `  - { id: split, type: parallel, branches: [${branches.map((b) => `{ start: ${b} }`).join(", ")}]${extra} }\n`;

describe("parallel step rules at save", () => {
  it("accepts branches that each end on their own, and defaults join to all", () => {
    const result = parseDefinitionSource(
      source(split(["a", "b"], ", next: done") + form("a", "a2") + form("a2") + form("b") + form("done")),
      "yaml",
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.definition.steps[0]).toMatchObject({ type: "parallel", join: "all" });
  });

  it("refuses a step outside a branch leading into it, naming the key that does", () => {
    const found = issues(
      split(["a", "b"], ", next: done") +
        form("a", "shared") +
        form("b", "shared") +
        form("shared") +
        form("done"),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        path: "steps[2].next",
        message: expect.stringMatching(
          /"shared" belongs to branch 0 of parallel step "split".*only steps of that branch/,
        ),
      }),
    );
    expect(found[0]?.line).toBeGreaterThan(0);
  });

  it("refuses a branch that reaches the parallel step's next or leads back to it", () => {
    const toNext = issues(split(["a", "b"], ", next: done") + form("a", "done") + form("b") + form("done"));
    expect(toNext).toContainEqual(
      expect.objectContaining({
        path: "steps[0].branches[0].start",
        message: expect.stringMatching(/reaches "done", the parallel step's next/),
      }),
    );
    const back = issues(split(["a", "b"]) + form("a", "split") + form("b"));
    expect(back).toContainEqual(
      expect.objectContaining({
        path: "steps[0].branches[0].start",
        message: expect.stringMatching(/leads back to its parallel step/),
      }),
    );
  });

  it("refuses more than 10 branches, nesting deeper than 2, a timeout, a single branch", () => {
    const ids = Array.from({ length: 11 }, (_, i) => `b${i}`);
    expect(issues(split(ids) + ids.map((id) => form(id)).join(""))).toContainEqual(
      expect.objectContaining({
        path: "steps[0].branches",
        message: expect.stringMatching(/at most 10 branches \(this one has 11\)/),
      }),
    );
    const nested =
      split(["p2", "x"]) +
      `  - { id: p2, type: parallel, branches: [{ start: p3 }, { start: y }] }\n` +
      `  - { id: p3, type: parallel, branches: [{ start: z1 }, { start: z2 }] }\n` +
      form("x") +
      form("y") +
      form("z1") +
      form("z2");
    expect(issues(nested)).toContainEqual(
      expect.objectContaining({
        path: "steps[0]",
        message: expect.stringMatching(/nest 3 deep from "split"; at most 2/),
      }),
    );
    const twoDeep =
      split(["p2", "x"]) +
      `  - { id: p2, type: parallel, branches: [{ start: y }, { start: z }] }\n` +
      form("x") +
      form("y") +
      form("z");
    expect(issues(twoDeep)).toEqual([]);
    expect(issues(split(["a", "b"], ", timeout: 1h") + form("a") + form("b"))).toContainEqual(
      expect.objectContaining({ path: "steps[0].timeout" }),
    );
    expect(issues(split(["a"]) + form("a"))).toContainEqual(
      expect.objectContaining({
        path: "steps[0].branches",
        message: expect.stringMatching(/at least 2 branches/),
      }),
    );
  });

  it("refuses a branch start that names no step, and two branches sharing one start", () => {
    expect(issues(split(["a", "nope"]) + form("a"))).toContainEqual(
      expect.objectContaining({ path: "steps[0].branches[1].start", message: 'no step has id "nope"' }),
    );
    expect(issues(split(["a", "a"]) + form("a"))).toContainEqual(
      expect.objectContaining({
        path: "steps[0].branches[1].start",
        message: expect.stringMatching(/belongs to branch 0/),
      }),
    );
  });
});

describe("a review inside a branch", () => {
  it("refuses an approval that would send a branch back to an AI step outside it", () => {
    const steps =
      `  - { id: draft, type: ai_generate, prompt: "x", schema: { type: object }, output: draft, next: split }\n` +
      split(["check", "b"]).replace("id: split", "id: split") +
      `  - { id: check, type: approval, approvers: ["a@acme.test"], review: draft, allow_changes: true }\n` +
      form("b");
    const result = parseDefinitionSource(
      source(steps).replace("start_step: split", "start_step: draft"),
      "yaml",
    );
    expect(result.ok ? [] : result.issues).toContainEqual(
      expect.objectContaining({
        path: "steps[2].review",
        message: expect.stringMatching(/sends back to "draft" outside it/),
      }),
    );
  });
});
