import { inject } from "vitest";
import type { ApiCallStep } from "../../src/definitions/types";
import type { ApiCallDeps, ApiCallView } from "../../src/executors/api-call";
import type { WireRecord } from "../fakes/wire-server";

/** Shared setup of the api_call tests that look at what reached the wire (test/fakes/wire-server). */

export const wire = inject("wireUrl");
export const other = inject("wireOtherUrl");
export const SECRET = "s3cr3t-value-never-logged";

/** `127.0.0.1:<port>` of a base URL. */
export const hostOf = (url: string): string => new URL(url).host;

let seq = 0;
export const newKey = (name: string): string => `${name}-${Date.now()}-${seq++}`;

/** Every request the wire servers received under `key`, in order. */
export async function wireOf(key: string): Promise<WireRecord[]> {
  const res = await fetch(`${wire}/__wire/${key}`);
  return (await res.json()) as WireRecord[];
}

export const view: ApiCallView = {
  static: {},
  profile: {},
  runtime: { base: other, title: "Hello" },
  run: { id: "run_1", step_id: "call" },
};

export const step = (over: Partial<ApiCallStep>): ApiCallStep => ({
  id: "call",
  type: "api_call",
  method: "POST",
  url: `${wire}/rec/none`,
  retry: { max: 0 },
  fail_on_status: true,
  store: true,
  ...over,
});

/** The secret may go to the first wire server only (host:port), unless told otherwise; null: unset. */
export const deps = (
  allowedHosts: string | null = `TEST_TOKEN=${hostOf(wire)}`,
  secrets: Record<string, string> = { TEST_TOKEN: SECRET },
): ApiCallDeps => ({ secrets, allowedHosts: allowedHosts ?? undefined });
