import { describe, expect, it } from "vitest";
import { blank } from "../../src/engine/engine";
import { completeRun, failRun, failStep, goTo } from "../../src/engine/run-end";
import { runState } from "../helpers/states";

// How any transition moves a run on, completes or fails it.

const running = () => runState({ currentStep: "a" });

describe("run ends", () => {
  it("goTo moves a run to the next step and keeps it running", () => {
    const t = blank({ ...running(), status: "waiting" });
    goTo(t, "b");
    expect(t.run).toMatchObject({ status: "running", currentStep: "b" });
    expect(t.events).toEqual([]);
  });

  it("goTo without a next step completes the run, like completeRun", () => {
    for (const next of [null, undefined, ""]) {
      const t = blank(running());
      goTo(t, next);
      expect(t.run).toMatchObject({ status: "completed", currentStep: null });
      expect(t.events).toEqual([{ type: "run.completed" }]);
    }
    const t = blank(running());
    completeRun(t);
    expect(t.run).toMatchObject({ status: "completed", currentStep: null });
    expect(t.events).toEqual([{ type: "run.completed" }]);
  });

  it("failRun records the error on the run and in its event", () => {
    const t = blank(running());
    const error = { code: "loop_limit", message: "too many", step_id: "a" };
    failRun(t, error);
    expect(t.run).toMatchObject({ status: "failed", error, currentStep: "a" });
    expect(t.events).toEqual([{ type: "run.failed", stepId: "a", data: { error } }]);
  });

  it("failStep records the step's failure, then the run's, which names the step", () => {
    const t = blank(running());
    const error = { code: "timeout", message: "late" };
    failStep(t, { stepId: "a", attemptId: "att_1" }, error);
    expect(t.run.status).toBe("failed");
    expect(t.run.error).toEqual({ code: "timeout", message: "late", step_id: "a" });
    expect(t.events).toEqual([
      { stepId: "a", attemptId: "att_1", type: "step.failed", data: { error } },
      { type: "run.failed", stepId: "a", data: { error: { ...error, step_id: "a" } } },
    ]);
  });
});
