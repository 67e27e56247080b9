import { parseDefinitionSource } from "../../src/definitions/parse";
import type { Definition } from "../../src/definitions/types";
import type { HumanWait, RunState } from "../../src/engine/state";

// Plain engine values for unit tests of pure functions: a definition from YAML, a run, a wait.

/** The typed definition of a YAML workflow; a test's own definition must be valid. */
export function parseDef(yaml: string): Definition {
  const res = parseDefinitionSource(yaml, "yaml");
  if (!res.ok) throw new Error(`bad test definition: ${JSON.stringify(res.issues)}`);
  return res.definition;
}

/** A form wait `wait_1` on step `ask` (attempt `att_1`), changed by `over`. */
export const humanWait = (over: Partial<HumanWait> = {}): HumanWait => ({
  kind: "human",
  type: "form",
  stepId: "ask",
  seq: 1,
  attemptId: "att_1",
  waitId: "wait_1",
  startedAt: 0,
  expiresAt: 1000,
  reminders: 0,
  recipients: [],
  ...over,
});

/** Run `run_1` of workflow `wf` version 1, running at step `ask`, changed by `over`. */
export const runState = (over: Partial<RunState> = {}): RunState => ({
  id: "run_1",
  workflowId: "wf",
  workflowVersion: 1,
  status: "running",
  currentStep: "ask",
  context: { static: {}, profile: {}, runtime: {} },
  pending: null,
  stepsExecuted: 1,
  error: null,
  version: 1,
  createdAt: 0,
  ...over,
});
