/**
 * Lenient views of an unvalidated definition, so semantic rules can run (and report) even when the
 * shape check failed elsewhere: a user gets every problem in one round trip.
 */

export type RawObject = Record<string, unknown>;

/** The value as an object, or undefined when it is not one. */
export function asObject(value: unknown): RawObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as RawObject)
    : undefined;
}

/** An own property of a raw object (never one inherited from a prototype). */
export function own(obj: RawObject | undefined, key: string): unknown {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function ownString(obj: RawObject | undefined, key: string): string | undefined {
  const value = own(obj, key);
  return typeof value === "string" ? value : undefined;
}

export interface RawStep {
  index: number;
  step: RawObject;
  id: string | undefined;
  type: string | undefined;
}

/** The steps that are objects, with their index in the list. */
export function rawSteps(raw: unknown): RawStep[] {
  const steps = own(asObject(raw), "steps");
  if (!Array.isArray(steps)) return [];
  const out: RawStep[] = [];
  steps.forEach((value, index) => {
    const step = asObject(value);
    if (step) out.push({ index, step, id: ownString(step, "id"), type: ownString(step, "type") });
  });
  return out;
}

/** Each element of an own array property that is an object, with its index. */
export function rawList(obj: RawObject, key: string): Array<{ index: number; item: RawObject }> {
  const list = own(obj, key);
  if (!Array.isArray(list)) return [];
  const out: Array<{ index: number; item: RawObject }> = [];
  list.forEach((value, index) => {
    const item = asObject(value);
    if (item) out.push({ index, item });
  });
  return out;
}
