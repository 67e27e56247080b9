/** Content rules: JSON Schemas, CEL expressions, prompt templates and Mustache syntax. */
import Mustache from "mustache";
import { parseExpression } from "../lib/cel";
import { checkSchemaIsValid } from "../lib/json-schema";
import { type IssueList, type PathSegment, pointerSegments } from "./issues";
import { asObject, own, ownString, type RawObject, rawList, rawSteps } from "./raw";
import { checkLiteralRecipients } from "./rules-recipients";

/** Runs every content rule over the raw definition. */
export function checkContent(raw: unknown, issues: IssueList): void {
  const root = asObject(raw);
  if (!root) return;
  checkSchema(own(root, "inputs"), ["inputs"], issues);
  const inputs = asObject(own(root, "inputs"));
  const inputType = own(inputs, "type");
  if (inputType !== undefined && inputType !== "object") {
    issues.add(
      ["inputs", "type"],
      'inputs describe the start request\'s object of inputs: use type "object"',
    );
  }
  const templates = asObject(own(root, "templates")) ?? {};
  for (const [id, value] of Object.entries(templates)) {
    if (typeof value === "string") checkMustache(value, ["templates", id], issues);
  }
  for (const { index, step, type } of rawSteps(raw)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ["steps", index, ...rest];
    if (type === "ai_generate") checkAiStep(step, templates, at, issues);
    if (type === "conditional") checkConditions(step, at, issues);
    if (type === "form" || type === "approval") checkLiteralRecipients(step, at(), issues);
    if (type === "form") checkStrings(step, ["assignee"], at, issues);
    if (type === "approval") {
      checkStrings(step, ["instructions"], at, issues);
      const approvers = own(step, "approvers");
      if (Array.isArray(approvers)) {
        approvers.forEach((a, i) => {
          if (typeof a === "string") checkMustache(a, at("approvers", i), issues);
        });
      }
    }
    if (type === "api_call") checkApiCall(step, at, issues);
  }
}

function checkAiStep(
  step: RawObject,
  templates: RawObject,
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  const hasPrompt = own(step, "prompt") !== undefined;
  const template = ownString(step, "template");
  if (hasPrompt && own(step, "template") !== undefined) {
    issues.add(at("template"), "use either prompt or template, not both");
  } else if (!hasPrompt && own(step, "template") === undefined) {
    issues.add(at(), "an ai_generate step needs a prompt or a template");
  }
  if (template !== undefined && !Object.hasOwn(templates, template)) {
    const known = Object.keys(templates);
    const hint = known.length > 0 ? `; defined: ${known.join(", ")}` : "; templates defines none";
    issues.add(at("template"), `unknown template "${template}"${hint}`);
  }
  checkStrings(step, ["prompt", "system"], at, issues);
  if (own(step, "schema") === undefined) return;
  checkSchema(own(step, "schema"), at("schema"), issues);
}

function checkConditions(
  step: RawObject,
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  for (const { index, item } of rawList(step, "branches")) {
    const when = ownString(item, "when");
    if (when === undefined || when === "") continue;
    const parsed = parseExpression(when);
    if (!parsed.ok) {
      issues.add(at("branches", index, "when"), `invalid expression: ${parsed.message}`);
    } else if (parsed.type !== "bool" && parsed.type !== "dyn") {
      issues.add(
        at("branches", index, "when"),
        `must be a boolean expression; this one gives ${parsed.type}`,
      );
    }
  }
}

function checkApiCall(
  step: RawObject,
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  const url = ownString(step, "url");
  if (url !== undefined) {
    checkMustache(url, at("url"), issues, true);
    if (!url.includes("{{") && !isHttpUrl(url)) issues.add(at("url"), "must be an http(s) URL");
  }
  for (const key of ["headers", "query"]) {
    for (const [name, value] of Object.entries(asObject(own(step, key)) ?? {})) {
      if (typeof value === "string") checkMustache(value, at(key, name), issues, true);
    }
  }
  checkBodyStrings(own(step, "body"), at("body"), issues, 0);
}

function checkBodyStrings(value: unknown, path: PathSegment[], issues: IssueList, depth: number): void {
  if (depth > 32) return;
  if (typeof value === "string") {
    checkMustache(value, path, issues, true);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkBodyStrings(item, [...path, i], issues, depth + 1);
    });
    return;
  }
  for (const [key, item] of Object.entries(asObject(value) ?? {})) {
    checkBodyStrings(item, [...path, key], issues, depth + 1);
  }
}

function checkStrings(
  step: RawObject,
  keys: string[],
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  for (const key of keys) {
    const value = ownString(step, key);
    if (value !== undefined) checkMustache(value, at(key), issues);
  }
}

function checkSchema(schema: unknown, path: PathSegment[], issues: IssueList): void {
  // Non-schema values (strings, lists) are already reported by the shape check.
  if (schema === undefined || (typeof schema !== "boolean" && !asObject(schema))) return;
  for (const error of checkSchemaIsValid(schema)) {
    issues.add([...path, ...pointerSegments(error.path)], `invalid JSON Schema: ${error.message}`);
  }
}

/**
 * Reports a template Mustache cannot parse (unclosed tags, unbalanced sections), and `{{secrets.*}}`
 * outside api_call steps: a secret must never reach a prompt, an email or a page.
 */
export function checkMustache(
  template: string,
  path: PathSegment[],
  issues: IssueList,
  secretsAllowed = false,
): void {
  let tokens: unknown[];
  try {
    // A private Writer: the shared Mustache cache must not keep every template anyone ever submitted.
    tokens = new Mustache.Writer().parse(template) as unknown[];
  } catch (e) {
    issues.add(path, `invalid template: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (!secretsAllowed && usesSecrets(tokens)) {
    issues.add(path, "{{secrets.*}} can only be used in api_call steps (url, headers, query, body)");
  }
}

const NAMED = new Set(["name", "&", "#", "^"]);

function usesSecrets(tokens: unknown[], depth = 0): boolean {
  if (depth > 32) return false;
  return tokens.some((token) => {
    if (!Array.isArray(token)) return false;
    const [type, value, , , children] = token as [string, string, number, number, unknown[] | undefined];
    if (NAMED.has(type) && (value === "secrets" || value.startsWith("secrets."))) return true;
    return Array.isArray(children) && usesSecrets(children, depth + 1);
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
