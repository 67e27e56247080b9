/** Answers that break a schema on purpose, for the mock's `schema_violation` mode. */
import { compileSchema } from "../../lib/json-schema";
import type { JsonSchema } from "../types";
import { isObject } from "./flatten";
import type { Rng } from "./prng";

/** Share of violations sent as prose instead of JSON (a model "forgetting" the format). */
const NON_JSON_SHARE = 0.25;
const WRONG_VALUES: unknown[] = ["not-the-expected-value", 12345, null, [], { unexpected: true }, false];

/** Text with broken JSON: what a chatty model sometimes answers. */
export function nonJsonAnswer(valid: unknown): string {
  return `Sure! Here is the result you asked for:\n${JSON.stringify(valid).slice(0, 60)} ...`;
}

/**
 * Text that fails `schema`: the valid value with a required property removed or a property of the wrong
 * type, a wrong type overall, or (sometimes, and whenever no JSON value can fail) text that is not JSON.
 */
export function violateSchema(schema: JsonSchema, valid: unknown, rng: Rng): string {
  if (rng.bool(NON_JSON_SHARE)) return nonJsonAnswer(valid);
  const invalid = (v: unknown) => !compileSchema(schema)(v).valid;
  const candidates: unknown[] = [];
  if (isObject(valid)) {
    for (const key of rng.shuffle(Object.keys(valid))) {
      const { [key]: _dropped, ...without } = valid;
      candidates.push(without);
      for (const wrong of WRONG_VALUES) candidates.push({ ...valid, [key]: wrong });
    }
  }
  candidates.push(...rng.shuffle(WRONG_VALUES));
  const found = candidates.find(invalid);
  return found === undefined ? nonJsonAnswer(valid) : JSON.stringify(found);
}
