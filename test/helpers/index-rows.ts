// Index rows as a run's object writes them to D1 (tests of the index's statements and its writer).
import type { RunSummaryRow } from "../../src/db/run-index";
import type { WaitIndexWrite } from "../../src/db/wait-index";

/** A summary as the run's object writes it, at `version`. */
export const summaryAt = (id: string, version: number, status: RunSummaryRow["status"]): RunSummaryRow => ({
  ...{ id, workflowId: "rows-flow", workflowVersion: 1, status, currentStep: "ask", error: null, version },
  ...{ waitStepId: null, waitType: null, waitExpiresAt: null, createdBy: "tester", idempotencyKey: null },
  ...{ createdAt: 1000, updatedAt: 1000 + version, finishedAt: null, tokensPrompt: 0, tokensOutput: 0 },
  ...{ costUsd: 0, aiAttempts: 0, reAsks: 0, humanFixes: 0, parentRunId: null },
});

export const waitAt = (runId: string, version: number, status: "open" | "closed"): WaitIndexWrite => ({
  ...{ runId, workflowId: "rows-flow", stepId: "ask", type: "form", waitId: `wait_${runId}`, status },
  recipients: [{ email: "a@acme.test", status: status === "open" ? "pending" : "submitted" }],
  ...{ createdAt: 1000, expiresAt: 9000, closedAt: status === "open" ? null : 2000, version },
});
