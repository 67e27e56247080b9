/**
 * The boundary where YAML/JSON becomes a typed `Definition` (docs/workflows.md): every problem is
 * collected, each with its path and, when there is a source text, its line and column.
 */

import { finishIssues, fromZodIssues, IssueList } from "./issues";
import { jsonErrorOffset, lineColumn } from "./json-position";
import { checkAiFallbacks } from "./rules-ai";
import { checkApprovals } from "./rules-approval";
import { checkApprovalPolicies } from "./rules-approval-policy";
import { checkContent } from "./rules-content";
import { checkJsonData } from "./rules-data";
import { checkFormFields } from "./rules-fields";
import { checkGraph } from "./rules-graph";
import { checkParallel } from "./rules-parallel";
import { checkReviews } from "./rules-review";
import { checkSubWorkflows } from "./rules-subworkflow";
import { checkTriggers } from "./rules-triggers";
import { definitionSchema } from "./schema";
import { MAX_SOURCE_BYTES, type ParseResult } from "./types";
import { jsonLocator, type Locator, readYaml } from "./yaml-source";

/** Parses and validates a definition source text (YAML or JSON). */
export function parseDefinitionSource(text: string, format: "yaml" | "json"): ParseResult {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_SOURCE_BYTES) {
    const message = `definition is ${bytes} bytes; the limit is 64 KiB (${MAX_SOURCE_BYTES} bytes)`;
    return { ok: false, issues: [{ path: "", message }] };
  }
  if (format === "json") return parseJson(text);
  const read = readYaml(text);
  if (!read.ok) return { ok: false, issues: read.errors.map((e) => ({ path: "", ...e })) };
  return validate(read.value, read.locate);
}

/** Validates a definition that is already a JS value (a parsed JSON body). */
export function validateDefinitionObject(raw: unknown): ParseResult {
  return validate(raw);
}

function parseJson(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      issues: [{ path: "", message: `JSON syntax error: ${message}`, ...jsonPosition(text) }],
    };
  }
  return validate(raw, jsonLocator(text));
}

function jsonPosition(text: string): { line?: number; column?: number } {
  const offset = jsonErrorOffset(text);
  return offset === undefined ? {} : lineColumn(text, offset);
}

function validate(raw: unknown, locate?: Locator): ParseResult {
  const issues = new IssueList();
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.add(
      [],
      "a workflow definition must be an object (a YAML mapping) with id, name, start_step and steps",
    );
    return { ok: false, issues: finishIssues(issues, locate) };
  }
  checkJsonData(raw, issues);
  const shaped = definitionSchema.safeParse(raw);
  if (!shaped.success) fromZodIssues(shaped.error.issues, raw, issues);
  checkGraph(raw, issues);
  checkFormFields(raw, issues);
  checkContent(raw, issues);
  checkApprovals(raw, issues);
  checkApprovalPolicies(raw, issues);
  checkAiFallbacks(raw, issues);
  checkTriggers(raw, issues);
  checkSubWorkflows(raw, issues);
  checkParallel(raw, issues);
  checkReviews(raw, issues);
  if (issues.items.length > 0 || !shaped.success) {
    return { ok: false, issues: finishIssues(issues, locate) };
  }
  return { ok: true, definition: shaped.data, raw };
}
