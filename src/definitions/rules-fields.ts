/** Form field rules: unique names, constraints that fit the field type and agree with each other. */

import { patternFinds, patternProblem } from "../lib/re2";
import type { IssueList, PathSegment } from "./issues";
import { own, ownString, type RawObject, rawList, rawSteps } from "./raw";

const STRING_ONLY = ["pattern", "format", "min_length", "max_length"];
const NUMBER_ONLY = ["minimum", "maximum"];

/** Checks every field of every form step. */
export function checkFormFields(raw: unknown, issues: IssueList): void {
  for (const { index, step, type } of rawSteps(raw)) {
    if (type !== "form") continue;
    const names = new Map<string, number>();
    const missingDefaults: string[] = [];
    for (const { index: j, item: field } of rawList(step, "fields")) {
      const at = (...rest: PathSegment[]): PathSegment[] => ["steps", index, "fields", j, ...rest];
      const name = ownString(field, "name");
      if (name !== undefined) {
        const first = names.get(name);
        if (first !== undefined)
          issues.add(at("name"), `duplicate field name "${name}" (also fields[${first}])`);
        else names.set(name, j);
      }
      checkField(field, at, issues);
      if (own(field, "required") === true && own(field, "default") === undefined)
        missingDefaults.push(name ?? `#${j}`);
    }
    if (own(step, "on_timeout") === "default" && missingDefaults.length > 0) {
      issues.add(
        ["steps", index, "on_timeout"],
        `on_timeout: default needs a default for every required field; missing: ${missingDefaults.join(", ")}`,
      );
    }
  }
}

function checkField(
  field: RawObject,
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  const type = ownString(field, "type");
  if (type === undefined) return;
  const keys =
    type === "string" ? NUMBER_ONLY : type === "boolean" ? [...STRING_ONLY, ...NUMBER_ONLY] : STRING_ONLY;
  for (const key of keys) {
    if (own(field, key) !== undefined) issues.add(at(key), `${key} does not apply to a ${type} field`);
  }
  if (type === "boolean" && own(field, "enum") !== undefined) {
    issues.add(at("enum"), "enum does not apply to a boolean field");
  }
  checkRange(field, "minimum", "maximum", at, issues);
  checkRange(field, "min_length", "max_length", at, issues);
  const pattern = ownString(field, "pattern");
  const unusable = pattern === undefined ? undefined : patternProblem(pattern);
  if (unusable) issues.add(at("pattern"), unusable);
  const values = own(field, "enum");
  if (Array.isArray(values) && type !== "boolean") {
    values.forEach((value, k) => {
      if (!fitsType(value, type)) issues.add(at("enum", k), `${JSON.stringify(value)} is not a ${type}`);
    });
  }
  const fallback = own(field, "default");
  if (fallback === undefined) return;
  if (!fitsType(fallback, type)) {
    issues.add(at("default"), `${JSON.stringify(fallback)} is not a ${type}`);
    return;
  }
  const problem = defaultProblem(field, fallback);
  if (problem) issues.add(at("default"), problem);
}

function checkRange(
  field: RawObject,
  low: string,
  high: string,
  at: (...rest: PathSegment[]) => PathSegment[],
  issues: IssueList,
): void {
  const min = own(field, low);
  const max = own(field, high);
  if (typeof min === "number" && typeof max === "number" && min > max) {
    issues.add(at(low), `${low} (${min}) is greater than ${high} (${max})`);
  }
}

function fitsType(value: unknown, type: string): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "integer") return Number.isInteger(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  if (type === "boolean") return typeof value === "boolean";
  return false;
}

/** A default the form itself would reject is a definition bug, caught before any run uses it. */
function defaultProblem(field: RawObject, value: unknown): string | undefined {
  const values = own(field, "enum");
  if (Array.isArray(values) && !values.includes(value)) return "is not one of the enum values";
  if (typeof value === "number") {
    const min = own(field, "minimum");
    const max = own(field, "maximum");
    if (typeof min === "number" && value < min) return `is less than minimum (${min})`;
    if (typeof max === "number" && value > max) return `is greater than maximum (${max})`;
  }
  if (typeof value === "string") {
    const length = [...value].length;
    const min = own(field, "min_length");
    const max = own(field, "max_length");
    if (typeof min === "number" && length < min) return `is shorter than min_length (${min})`;
    if (typeof max === "number" && length > max) return `is longer than max_length (${max})`;
    // A form pattern is the JSON Schema `pattern` of the field: it matches anywhere in the value.
    const pattern = ownString(field, "pattern");
    if (pattern !== undefined && patternProblem(pattern) === undefined && !patternFinds(pattern, value)) {
      return "does not match pattern";
    }
  }
  return undefined;
}
