import { describe, expect, it } from "vitest";
import { jsonProblem, MAX_JSON_DEPTH } from "../../src/lib/json-guard";
import { api } from "../helpers/api";

/** Nested arrays `depth` deep whose innermost array holds `leaves` empty arrays: many nodes, each deep. */
function deepAndWide(depth: number, leaves: number): string {
  const inner = `[${Array.from({ length: leaves }, () => "[]").join(",")}]`;
  return `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
}

describe("the JSON guard", () => {
  it("names the path of the first problem", () => {
    expect(jsonProblem({ a: [1, { __proto__x: 1, b: "\ud800" }] })).toEqual({
      path: ["a", 1, "b"],
      message: "is not well-formed Unicode (a lone surrogate)",
    });
    expect(jsonProblem(JSON.parse('{"a":{"__proto__":{}}}'))?.path).toEqual(["a", "__proto__"]);
    expect(jsonProblem({ "k\udc00": 1 })?.message).toMatch(/key is not well-formed/);
    const tooDeep = JSON.parse("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1));
    const problem = jsonProblem(tooDeep);
    expect(problem?.message).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(problem?.path).toHaveLength(MAX_JSON_DEPTH);
    expect(jsonProblem({ ok: [1, "two", { three: null }] })).toBeNull();
  });

  it("checks the worst body under 1 MiB (hundreds of thousands of nodes just under the depth limit)", async () => {
    // 62 levels and ~330k leaves: a guard copying each node's path would hold ~20M path entries.
    const inputs = deepAndWide(61, 330_000);
    const body = `{"workflow_id":"nope","inputs":{"x":${inputs}}}`;
    expect(body.length).toBeLessThan(1024 * 1024);
    expect(jsonProblem(JSON.parse(inputs))).toBeNull();
    const res = await api("POST", "/v1/executions", {
      body,
      headers: { "content-type": "application/json" },
    });
    // The guard passes it; the start then refuses the unknown workflow with a clear 4xx.
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "not_found" } });
  });
});
