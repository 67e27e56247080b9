/** Trigger rules: one webhook at most, and a schedule's inputs valid for the workflow's `inputs` schema. */
import { pointerSegments } from "../lib/json-pointer";
import { checkSchemaIsValid, compileSchema } from "../lib/json-schema";
import type { IssueList } from "./issues";
import { asObject, own, rawList } from "./raw";
import type { JsonSchema } from "./types";

/** Checks the triggers a shape check cannot: duplicates and the inputs each schedule starts its runs with. */
export function checkTriggers(raw: unknown, issues: IssueList): void {
  const root = asObject(raw);
  if (!root) return;
  const triggers = rawList(root, "triggers");
  const webhooks = triggers.filter(({ item }) => own(item, "webhook") !== undefined);
  for (const { index } of webhooks.slice(1)) {
    issues.add(["triggers", index, "webhook"], "a workflow has at most one webhook trigger");
  }
  const schema = usableSchema(own(root, "inputs"));
  if (schema === undefined) return;
  const validate = compileSchema(schema);
  for (const { index, item } of triggers) {
    if (typeof own(item, "cron") !== "string") continue;
    const inputs = own(item, "inputs") ?? {};
    if (asObject(inputs) === undefined) continue; // the shape check reports it
    const result = validate(inputs);
    if (result.valid) continue;
    for (const e of result.errors) {
      issues.add(
        ["triggers", index, "inputs", ...pointerSegments(e.path)],
        `this schedule's inputs do not match the workflow's inputs schema: ${e.message}`,
      );
    }
  }
}

/** The workflow's inputs schema when there is one and it compiles (else the content rules report it). */
function usableSchema(value: unknown): JsonSchema | undefined {
  if (typeof value !== "boolean" && asObject(value) === undefined) return undefined;
  const schema = value as JsonSchema;
  return checkSchemaIsValid(schema).length === 0 ? schema : undefined;
}
