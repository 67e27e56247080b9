// What the suite means to do with each run, and what it therefore expects of it at the end.

/** A plan for a rel-human run: the form's score decides the branch, `decision` the approval. */
export const humanPlan = (i) => ({
  workflow: "rel-human",
  inputs: {},
  profile: i % 3 === 0 ? { email: `person${i}@rel.test` } : {},
  score: i % 4 === 3 ? 20 : 80,
  decision: i % 4 === 1 ? "rejected" : "approved",
});

export const aiSlowPlan = (i) => ({ workflow: "rel-ai-slow", inputs: { topic: `slow ${i}` }, profile: {} });
export const aiReaskPlan = (i) => ({
  workflow: "rel-ai-reask",
  inputs: { topic: `reask ${i}` },
  profile: {},
});
export const aiFailPlan = (i) => ({ workflow: "rel-ai-fail", inputs: { topic: `fail ${i}` }, profile: {} });

/** The resume data the plan gives for the step a run waits on. */
export function answerFor(plan, stepId) {
  switch (`${plan.workflow}/${stepId}`) {
    case "rel-human/ask":
      return { note: `note for score ${plan.score}`, score: plan.score };
    case "rel-human/sign":
      return { decision: plan.decision, comment: "reliability" };
    case "rel-human/done":
      return { ack: true };
    case "rel-ai-slow/check":
      return { ok: true };
    case "rel-ai-reask/sign":
      return { decision: "approved" };
    default:
      throw new Error(`no answer planned for ${plan.workflow}/${stepId}`);
  }
}

/** The terminal status, step path and AI attempt count a finished run of this plan must show. */
export function expectedEnd(plan) {
  switch (plan.workflow) {
    case "rel-human":
      if (plan.score <= 50) return { status: "completed", path: ["ask", "route", "done"] };
      return plan.decision === "approved"
        ? { status: "completed", path: ["ask", "route", "sign"] }
        : { status: "rejected", path: ["ask", "route", "sign"] };
    case "rel-ai-slow":
      return { status: "completed", path: ["gen", "check"], aiAttempts: 1 };
    case "rel-ai-reask":
      return { status: "completed", path: ["gen", "sign"], aiAttempts: 3 };
    case "rel-ai-fail":
      return { status: "failed", path: ["gen"], aiAttempts: 2, errorCode: "schema_violation" };
    default:
      throw new Error(`unknown plan ${plan.workflow}`);
  }
}

export const TERMINAL = new Set(["completed", "rejected", "failed", "cancelled"]);
