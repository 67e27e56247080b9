/// <reference types="vite/client" />
// The examples users copy from (and `npm start` loads) must be accepted by the API exactly as they
// are, and each must start a run with the inputs its own header comment suggests.
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { startedRun } from "../helpers/runs";

// Vite inlines the files at build time: the test runs in workerd, which has no file system.
const files = import.meta.glob<string>("../../examples/*.yaml", {
  query: "?raw",
  import: "default",
  eager: true,
});
const examples = Object.entries(files).map(([path, source]) => ({
  name: path.split("/").pop() ?? path,
  source,
}));

/** The top-level id, as `npm start` reads it to compare a stored example with its file. */
const idOf = (source: string) => /^id:\s*([a-z0-9][a-z0-9_-]*)\s*$/m.exec(source)?.[1];

/**
 * The JSON after "inputs such as" in the file's header comment, or {} when it suggests none. A wrong or
 * missing suggestion for a workflow with required inputs makes its run start fail with 422 below.
 */
function suggestedInputs(source: string): Record<string, unknown> {
  const header = source
    .split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) => line.replace(/^#\s?/, ""))
    .join(" ");
  const match = /inputs such as (\{.*?\})[.\s]/.exec(header);
  return match?.[1] ? (JSON.parse(match[1]) as Record<string, unknown>) : {};
}

describe("examples/", () => {
  it("has the three documented examples", () => {
    expect(examples.map((e) => e.name).sort()).toEqual(
      expect.arrayContaining(["content-review.yaml", "minimal.yaml", "triage.yaml"]),
    );
  });

  for (const { name, source } of examples) {
    it(`${name}: validates, saves with its source verbatim, answers 409 again, and starts a run`, async () => {
      const id = idOf(source);
      expect(id, "a top-level `id:` line").toBeDefined();

      const valid = await api("POST", "/v1/workflows/validate", { yaml: source });
      expect(valid.status, valid.text).toBe(200);
      expect(valid.body).toMatchObject({ valid: true, id });

      const created = await api("POST", "/v1/workflows", { yaml: source });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ id, version: 1 });

      const stored = await api<{ source: string; source_format: string }>("GET", `/v1/workflows/${id}`);
      expect(stored.status).toBe(200);
      expect(stored.body.source_format).toBe("yaml");
      // npm start compares this with the file to decide whether to add a version.
      expect(stored.body.source).toBe(source);

      const again = await api("POST", "/v1/workflows", { yaml: source });
      expect(again.status).toBe(409);

      const run = await startedRun(id ?? "", {
        inputs: suggestedInputs(source),
        profile: { email: "reader@acme.test" },
      });
      expect(run.workflow_id).toBe(id);
      expect(["running", "waiting"]).toContain(run.status);
    });
  }
});
