import type { RunRow } from "../db/schema";
import type { RunState } from "../engine/state";

/**
 * The one run model: the engine's state plus what only storage knows (who asked, when it last changed).
 * Every reader of a run gets this shape from one mapping.
 */
export interface RunRecord extends RunState {
  requestHash: string | null;
  updatedAt: number;
}

/** Where the context column keeps the run's review loops (RunState.reviews), beside the context. */
export const REVIEWS_KEY = "$reviews";

const parseOrNull = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** A `runs` row as the run model. */
export function toRunRecord(row: RunRow): RunRecord {
  const { [REVIEWS_KEY]: reviews, ...context } = JSON.parse(row.context);
  return {
    ...(reviews ? { reviews } : {}),
    id: row.id,
    workflowId: row.workflowId,
    workflowVersion: row.workflowVersion,
    status: row.status,
    currentStep: row.currentStep,
    context,
    pending: parseOrNull(row.pending),
    stepsExecuted: row.stepsExecuted,
    error: parseOrNull(row.error),
    version: row.version,
    requestHash: row.requestHash,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A resume token as a resume or a link page checks it. */
export interface TokenState {
  runId: string;
  stepId: string;
  waitId: string;
  usedAt: number | null;
  revokedAt: number | null;
}
