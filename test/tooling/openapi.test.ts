// The OpenAPI document: committed as schemas/openapi.json (the typed client is generated from it)
// and equal to what the app serves; every operation has a unique operationId and a declared tag, and
// the main request bodies carry examples.
import { describe, expect, it } from "vitest";
import committed from "../../schemas/openapi.json";
import { parseDefinitionSource } from "../../src/definitions/parse";
import { api } from "../helpers/api";

const REGENERATE =
  "schemas/openapi.json is stale: run `npm run generate` and commit the result (and client/openapi.d.ts)";
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  operationId?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { example?: unknown }> };
}
interface Document {
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
}

const doc = committed as unknown as Document;
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Operation })),
);
const byId = (id: string) => operations.find((o) => o.op.operationId === id)?.op;

describe("the OpenAPI document", () => {
  it("is committed as the app serves it", async () => {
    const served = await api("GET", "/openapi.json", { key: null });
    expect(served.status).toBe(200);
    expect(committed, REGENERATE).toEqual(served.body);
  });

  it("gives every operation a unique camelCase operationId and a declared tag", () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(
      ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, op } of operations) {
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declared.has(tag), `${method} ${path}: tag ${tag}`).toBe(true);
    }
  });

  it("names the operations clients call", () => {
    expect(operations.map((o) => o.op.operationId)).toEqual(
      expect.arrayContaining([
        "listWorkflows",
        "createWorkflow",
        "getWorkflow",
        "updateWorkflow",
        "deleteWorkflow",
        "validateWorkflow",
        "startExecution",
        "listExecutions",
        "getExecution",
        "resumeExecution",
        "cancelExecution",
        "getExecutionHistory",
        "getExecutionContext",
        "listExecutionEvents",
        "getWorkflowSchema",
      ]),
    );
  });

  it("shows a valid workflow as the example of the definition bodies, in JSON and in YAML", () => {
    for (const id of ["createWorkflow", "updateWorkflow", "validateWorkflow"]) {
      const content = byId(id)?.requestBody?.content ?? {};
      const json = content["application/json"]?.example;
      const yaml = content["application/yaml"]?.example;
      expect(parseDefinitionSource(JSON.stringify(json), "json").ok, `${id} JSON example`).toBe(true);
      expect(typeof yaml === "string" && parseDefinitionSource(yaml, "yaml").ok, `${id} YAML example`).toBe(
        true,
      );
    }
  });

  it("shows examples for starting and resuming a run", () => {
    for (const id of ["startExecution", "resumeExecution"]) {
      expect(byId(id)?.requestBody?.content["application/json"]?.example, id).toBeTypeOf("object");
    }
  });
});
