import { describe, expect, it } from "vitest";
import { parseDefinitionSource } from "../../src/definitions/parse";
import type { DefinitionIssue } from "../../src/definitions/types";
import { contentHash } from "../../src/lib/content-hash";
import { diffPatch } from "../../src/lib/json-patch";
import { api } from "../helpers/api";

// Save-time rules of review and fix (issue 13), and the two libraries they rest on, inside workerd.
const base = (approval: string, ai = "", extra = "") => `
id: rules
name: Rules
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write."
    schema: { type: object, properties: { title: { type: string } } }
    output: draft
${ai}    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
${approval}${extra}`;

function issues(source: string): DefinitionIssue[] {
  const result = parseDefinitionSource(source, "yaml");
  return result.ok ? [] : result.issues;
}

const at = (list: DefinitionIssue[], path: string) =>
  list.filter((i) => i.path === path).map((i) => i.message);

describe("review rules", () => {
  it("accepts a review of an AI step that runs before the approval", () => {
    expect(
      issues(base("    review: draft\n    editable: true\n    allow_changes: true\n    max_revisions: 5\n")),
    ).toEqual([]);
  });

  it("refuses a review of a missing step, a step of another type, or one without output", () => {
    expect(at(issues(base("    review: nowhere\n")), "steps[1].review")).toEqual([
      'no step has id "nowhere"',
    ]);
    expect(at(issues(base("    review: review\n")), "steps[1].review")[0]).toMatch(
      /is a step of type approval; review names an ai_generate step/,
    );
    const noOutput = base("    review: draft\n").replace("    output: draft\n", "");
    expect(at(issues(noOutput), "steps[1].review")[0]).toMatch(/has no "output"/);
  });

  it("refuses a review of an AI step that can never run before the approval", () => {
    const source = `
id: rules
name: Rules
start_step: review
steps:
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    review: draft
    next: draft
  - id: draft
    type: ai_generate
    prompt: "Write."
    schema: { type: object }
    output: draft
`;
    expect(at(issues(source), "steps[0].review")[0]).toMatch(/can never run before this approval/);
  });

  it("allows editable, allow_changes and max_revisions only with review", () => {
    const list = issues(base("    editable: true\n    allow_changes: true\n    max_revisions: 2\n"));
    expect(at(list, "steps[1].editable")).toEqual(['"editable" needs "review"']);
    expect(at(list, "steps[1].allow_changes")).toEqual(['"allow_changes" needs "review"']);
    expect(at(list, "steps[1].max_revisions")).toEqual(['"max_revisions" needs "review"']);
  });

  it("bounds max_revisions", () => {
    expect(
      at(issues(base("    review: draft\n    max_revisions: 21\n")), "steps[1].max_revisions"),
    ).toHaveLength(1);
    expect(
      at(issues(base("    review: draft\n    max_revisions: -1\n")), "steps[1].max_revisions"),
    ).toHaveLength(1);
  });

  it("allows fixers only with on_invalid: fix, and checks their templates", () => {
    expect(issues(base("", '    on_invalid: fix\n    fixers: ["{{profile.email}}"]\n'))).toEqual([]);
    expect(at(issues(base("", '    fixers: ["a@acme.test"]\n')), "steps[0].fixers")).toEqual([
      '"fixers" needs "on_invalid: fix"',
    ]);
    expect(
      at(issues(base("", '    on_invalid: fix\n    fixers: ["{{#x}}"]\n')), "steps[0].fixers[0]"),
    ).toHaveLength(1);
    expect(at(issues(base("", "    on_invalid: ask\n")), "steps[0].on_invalid")).toHaveLength(1);
  });

  it("answers 422 with the paths through the API", async () => {
    const res = await api<{ error: { details: Array<{ path: string }> } }>("POST", "/v1/workflows/validate", {
      yaml: base("    review: nowhere\n    editable: yes\n"),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(["steps[1].review", "steps[1].editable"]),
    );
  });
});

describe("canonical JSON and JSON Patch inside workerd", () => {
  it("hashes the RFC 8785 canonical form: key order and number spelling do not matter", async () => {
    const a = await contentHash({ b: 1, a: [1e2, "x"], c: { z: true, y: null } });
    const b = await contentHash(JSON.parse('{"c":{"y":null,"z":true},"a":[100.0,"x"],"b":1}'));
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    // RFC 8785's own example of number serialisation: 1e21 stays 1e+21, 4.50 becomes 4.5.
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode('{"a":4.5,"b":1e+21}'));
    const hex = [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("");
    expect(await contentHash({ b: 1e21, a: 4.5 })).toBe(`sha256:${hex}`);
    expect(await contentHash({ a: 1 })).not.toBe(await contentHash({ a: 2 }));
  });

  it("diffs to an RFC 6902 patch, empty when nothing changed", () => {
    expect(diffPatch({ a: 1, tags: ["x"] }, { a: 1, tags: ["x"] })).toEqual([]);
    expect(diffPatch({ a: 1, b: "x" }, { a: 2, c: true })).toEqual([
      { op: "remove", path: "/b" },
      { op: "replace", path: "/a", value: 2 },
      { op: "add", path: "/c", value: true },
    ]);
    expect(diffPatch("old", "new")).toEqual([{ op: "replace", path: "", value: "new" }]);
  });
});
