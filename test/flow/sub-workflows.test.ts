import { beforeAll, describe, expect, it } from "vitest";
import { decideAlarm } from "../../src/engine/alarm";
import { acceptsChildEnd, applyChildEnd, type ChildEnd } from "../../src/engine/child-run";
import type { ChildWait } from "../../src/engine/state";
import { api, envelope } from "../helpers/api";
import { indexSettled } from "../helpers/run-db";
import { getRun, type RunStatus, resumeRun, startedRun } from "../helpers/runs";
import { parseDef, runState } from "../helpers/states";

const childForm = `
id: child-form
name: Child form
inputs:
  type: object
  required: [topic]
  properties: { topic: { type: string }, words: { type: integer } }
start_step: write
steps:
  - id: write
    type: form
    fields: [{ name: note, type: string, required: true }]
`;

const childApproval = `
id: child-approval
name: Child approval
start_step: decide
steps:
  - id: decide
    type: approval
    approvers: ["boss@example.com"]
`;

// Ends within its own start: its one conditional matches no branch and has no default.
const childQuick = `
id: child-quick
name: Child that fails at once
start_step: pick
steps:
  - id: pick
    type: conditional
    branches: [{ when: "false", next: pick }]
`;

const parent = (id: string, child: string, extra = "") => `
id: ${id}
name: Parent ${id}
start_step: delegate
steps:
  - id: delegate
    type: workflow
    workflow: ${child}
${extra}    inputs:
      topic: "{{runtime.topic}}"
      words: "{{runtime.words}}"
    output: child
    next: confirm
  - id: confirm
    type: form
    title: "Confirm {{runtime.child.note}}"
    fields: [{ name: ok, type: boolean }]
`;

async function save(yaml: string): Promise<void> {
  const res = await api("POST", "/v1/workflows", { yaml });
  expect(res.status, res.text).toBe(201);
}

/** The child run a parent's `workflow` step started, as its history records it. */
async function childOf(runId: string): Promise<string> {
  const history = await api<{
    steps: Array<{ step_id: string; attempts: Array<{ input: { child_run_id?: string } }> }>;
  }>("GET", `/v1/executions/${runId}/history`);
  const id = history.body.steps.find((s) => s.step_id === "delegate")?.attempts[0]?.input.child_run_id;
  if (!id) throw new Error(`no child in ${history.text}`);
  return id;
}

/** Polls a run until `done` says so (the parent learns of its child's end just after the child's answer). */
async function until(runId: string, done: (run: RunStatus) => boolean): Promise<RunStatus> {
  let run = (await getRun(runId)).body;
  for (let i = 0; i < 50 && !done(run); i++) {
    await new Promise((r) => setTimeout(r, 50));
    run = (await getRun(runId)).body;
  }
  return run;
}

beforeAll(async () => {
  for (const yaml of [childForm, childApproval, childQuick]) await save(yaml);
  await save(parent("p-form", "child-form"));
  await save(parent("p-approval", "child-approval"));
  await save(parent("p-quick", "child-quick"));
  await save(parent("p-missing", "no-such-workflow"));
  await save(parent("p-pinned", "child-form", "    version: 1\n"));
});

describe("workflow steps (sub-workflows)", () => {
  it("waits until the child's form is answered, then continues with the child's runtime as output", async () => {
    const run = await startedRun("p-form", { inputs: { topic: "release notes", words: 300 } });
    expect(run).toMatchObject({ status: "waiting", current_step: "delegate", parent_run_id: null });
    expect(run.waiting).toBeUndefined();

    const childId = await childOf(run.run_id);
    const child = (await getRun(childId)).body as RunStatus & { parent_run_id: string };
    expect(child).toMatchObject({ workflow_id: "child-form", status: "waiting", parent_run_id: run.run_id });
    // Lists carry it too (D1's index): the child's item names its parent, the parent's names none.
    await indexSettled(childId);
    await indexSettled(run.run_id);
    const listed = await api<{ items: Array<{ run_id: string; parent_run_id: string | null }> }>(
      "GET",
      "/v1/executions?limit=100",
    );
    const item = (id: string) => listed.body.items.find((i) => i.run_id === id);
    expect(item(childId)?.parent_run_id).toBe(run.run_id);
    expect(item(run.run_id)?.parent_run_id).toBeNull();
    // A whole-value template passes the number itself: the child's inputs schema wants an integer.
    const childCtx = await api<{ runtime: unknown }>("GET", `/v1/executions/${childId}/context`);
    expect(childCtx.body.runtime).toEqual({ topic: "release notes", words: 300 });

    const answered = await resumeRun(childId, child.waiting?.resume_token ?? "", { note: "ship it" });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.body.status).toBe("completed");

    const moved = await until(run.run_id, (r) => r.current_step === "confirm");
    expect(moved).toMatchObject({ status: "waiting", current_step: "confirm" });
    expect(moved.waiting?.type).toBe("form");
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.child).toEqual({ topic: "release notes", words: 300, note: "ship it" });
  });

  it("a child that ends within its own start settles the parent's step in the same request", async () => {
    const run = await startedRun("p-quick", { inputs: { topic: "x" } });
    expect(run).toMatchObject({ status: "failed", error: { code: "child_failed", step_id: "delegate" } });
    expect(run.error?.message).toMatch(/No branch of 'pick' matched/);
    const childId = await childOf(run.run_id);
    expect((await getRun(childId)).body).toMatchObject({ status: "failed", parent_run_id: run.run_id });
  });

  it("a rejected child fails the parent's step, saying why", async () => {
    const run = await startedRun("p-approval", { inputs: { topic: "x" } });
    const childId = await childOf(run.run_id);
    const child = (await getRun(childId)).body;
    const rejected = await resumeRun(childId, child.waiting?.resume_token ?? "", { decision: "rejected" });
    expect(rejected.body.status).toBe("rejected");
    const failed = await until(run.run_id, (r) => r.status !== "waiting");
    expect(failed).toMatchObject({
      status: "failed",
      error: { code: "child_rejected", step_id: "delegate" },
    });
  });

  it("cancelling the parent cancels the waiting child and revokes the child's links", async () => {
    const run = await startedRun("p-form", { inputs: { topic: "to be cancelled" } });
    const childId = await childOf(run.run_id);
    const token = (await getRun(childId)).body.waiting?.resume_token ?? "";

    const cancelled = await api<RunStatus>("POST", `/v1/executions/${run.run_id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect((await getRun(childId)).body.status).toBe("cancelled");

    const late = await resumeRun(childId, token, { note: "too late" });
    expect(late.status).toBe(409);
    const page = await api("GET", `/r/${token}`, { key: null });
    expect(page.text).toMatch(/cancelled/i);
    expect((await getRun(run.run_id)).body.status).toBe("cancelled");
  });

  it("a child that cannot start (unknown workflow, inputs its schema refuses) fails the step with the reason", async () => {
    const missing = await startedRun("p-missing", { inputs: { topic: "x" } });
    expect(missing).toMatchObject({
      status: "failed",
      error: { code: "child_not_started", step_id: "delegate" },
    });
    expect(missing.error?.message).toMatch(/no-such-workflow/);

    const invalid = await startedRun("p-form", { inputs: { topic: "x", words: "many" } });
    expect(invalid).toMatchObject({ status: "failed", error: { code: "child_not_started" } });
    expect(invalid.error?.details?.[0]).toMatchObject({ path: "inputs.words" });
  });

  it("pins the child to the version the step names", async () => {
    const res = await api("PUT", "/v1/workflows/child-form", {
      yaml: childForm.replace("Child form", "Child v2"),
    });
    expect(res.status).toBe(201);
    const pinned = await startedRun("p-pinned", { inputs: { topic: "x" } });
    expect((await getRun(await childOf(pinned.run_id))).body.workflow_version).toBe(1);
    const latest = await startedRun("p-form", { inputs: { topic: "x" } });
    expect((await getRun(await childOf(latest.run_id))).body.workflow_version).toBe(2);
  });
});

describe("workflow steps at save time", () => {
  it("refuses a workflow that runs itself, a timeout, and templates that do not parse, each at its path", async () => {
    const yaml = parent("loop", "loop")
      .replace("output: child", "output: child\n    timeout: 1h")
      .replace('"{{runtime.words}}"', '"{{#runtime.words}}"');
    const res = await api("POST", "/v1/workflows/validate", { yaml });
    expect(res.status).toBe(422);
    const paths = (envelope(res).details ?? []).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(["steps[0].workflow", "steps[0].timeout", "steps[0].inputs.words"]),
    );
  });
});

describe("sub-workflow cycles across saved workflows", () => {
  const calling = (id: string, child: string, pin = "") => `
id: ${id}
name: ${id}
start_step: call
steps:
  - id: call
    type: workflow
    workflow: ${child}
${pin}`;

  it("refuses the save that closes a cycle, naming it; a pinned older version without the call is no cycle", async () => {
    await save(calling("cyc-a", "cyc-b"));
    await save(calling("cyc-b", "cyc-c"));
    const closing = await api("POST", "/v1/workflows", { yaml: calling("cyc-c", "cyc-a") });
    expect(closing.status).toBe(422);
    expect(envelope(closing).details).toEqual([
      {
        path: "steps[0].workflow",
        message: "sub-workflows form a cycle: cyc-c → cyc-a → cyc-b → cyc-c; every run would start another",
      },
    ]);
    const validated = await api("POST", "/v1/workflows/validate", { yaml: calling("cyc-c", "cyc-a") });
    expect(validated.status).toBe(422);

    // cyc-d@1 calls nothing; cyc-e pins it; a second version of cyc-d calling cyc-e is fine.
    await save(childApproval.replace("child-approval", "cyc-d"));
    await save(calling("cyc-e", "cyc-d", "    version: 1\n"));
    const v2 = await api("PUT", "/v1/workflows/cyc-d", { yaml: calling("cyc-d", "cyc-e") });
    expect(v2.status, v2.text).toBe(201);
    // Unpinned, the same call would be a cycle.
    const unpinned = await api("PUT", "/v1/workflows/cyc-e", { yaml: calling("cyc-e", "cyc-d") });
    expect(unpinned.status).toBe(422);
  });
});

describe("the engine's side of a child's end", () => {
  const def = parseDef(parent("p", "c"));
  const wait: ChildWait = {
    kind: "child",
    stepId: "delegate",
    seq: 1,
    attemptId: "att_1",
    startedAt: 0,
    childRunId: "run_c",
  };
  const waiting = runState({ status: "waiting", currentStep: "delegate", pending: wait });
  const end = (over: Partial<ChildEnd> = {}): ChildEnd => ({
    runId: "run_c",
    status: "completed",
    runtime: { note: "hi" },
    error: null,
    ...over,
  });
  const deps = { now: 10, newId: (p: string) => `${p}_x` };

  it("accepts only the end of the child the run waits for, once", () => {
    expect(acceptsChildEnd(waiting, end())).toBe(true);
    expect(acceptsChildEnd(waiting, end({ runId: "run_other" }))).toBe(false);
    const moved = applyChildEnd(def, waiting, end(), deps).run;
    expect(moved).toMatchObject({ status: "running", currentStep: "confirm", pending: null });
    expect(moved.context.runtime.child).toEqual({ note: "hi" });
    expect(acceptsChildEnd(moved, end())).toBe(false);
    expect(acceptsChildEnd({ ...waiting, status: "cancelled" }, end())).toBe(false);
  });

  it("fails the step for a child that failed or was cancelled, keeping the child's error", () => {
    const error = { code: "no_branch", message: "nope", step_id: "x" };
    const failed = applyChildEnd(def, waiting, end({ status: "failed", error }), deps);
    expect(failed.run).toMatchObject({
      status: "failed",
      error: { code: "child_failed", step_id: "delegate" },
    });
    expect(failed.run.error?.details).toEqual([{ child_run_id: "run_c", status: "failed", error }]);
    expect(applyChildEnd(def, waiting, end({ status: "cancelled" }), deps).run.error?.code).toBe(
      "child_cancelled",
    );
  });

  it("has the alarm ask the child while the run waits for it (a lost notice only delays the parent)", () => {
    expect(decideAlarm(waiting, def, 1_000_000, false)).toEqual({ kind: "check_child" });
  });
});
