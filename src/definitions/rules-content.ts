/** Content rules: JSON Schemas, CEL expressions, prompt templates and Mustache syntax. */
import Mustache from "mustache";
import { parseExpression } from "../lib/cel";
import { pointerSegments } from "../lib/json-pointer";
import { checkSchemaIsValid } from "../lib/json-schema";
import { templateReads } from "../lib/render";
import type { IssueList, PathSegment } from "./issues";
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
    checkMustache(url, at("url"), issues, SECRETS_IN_URL);
    if (!url.includes("{{") && !isHttpUrl(url)) issues.add(at("url"), "must be an http(s) URL");
  }
  for (const [key, rule] of [
    ["headers", null],
    ["query", SECRETS_IN_URL],
  ] as const) {
    for (const [name, value] of Object.entries(asObject(own(step, key)) ?? {})) {
      if (typeof value === "string") checkMustache(value, at(key, name), issues, rule);
    }
  }
  checkBodyStrings(own(step, "body"), at("body"), issues, 0);
}

function checkBodyStrings(value: unknown, path: PathSegment[], issues: IssueList, depth: number): void {
  if (depth > 32) return;
  if (typeof value === "string") {
    checkMustache(value, path, issues, null);
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

const SECRETS_OUTSIDE_API_CALL = "{{secrets.*}} can only be used in api_call steps (headers, body)";
// A URL ends up in server and proxy logs, browser history and Referer headers: never a secret's place.
const SECRETS_IN_URL = "a secret may not appear in a URL: send {{secrets.*}} in a header or the body";

/**
 * Reports a template Mustache cannot parse (unclosed tags, unbalanced sections), and a template that
 * reads `{{secrets.*}}` where it may not (`secretsRule`, the message; null where secrets are allowed):
 * a secret must never reach a prompt, an email, a page or a URL.
 */
export function checkMustache(
  template: string,
  path: PathSegment[],
  issues: IssueList,
  secretsRule: string | null = SECRETS_OUTSIDE_API_CALL,
): void {
  try {
    // A private Writer: the shared Mustache cache must not keep every template anyone ever submitted.
    new Mustache.Writer().parse(template);
  } catch (e) {
    issues.add(path, `invalid template: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (secretsRule !== null && templateReads(template, "secrets")) {
    issues.add(path, secretsRule);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
