import { RunStatusEnum } from "../../api/schemas/executions";
import type { RunFilter } from "../../db/run-index";
import { ID_PATTERN } from "../../definitions/identifiers";
import type { RunStatus } from "../../engine/state";
import { decodeTimeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";

/** Every run status, in the order the API lists them. */
export const RUN_STATUSES: readonly RunStatus[] = RunStatusEnum.options;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The runs page's query as the form sent it (empty fields dropped), for links that keep the filters. */
export interface RunsQuery {
  workflow?: string;
  status?: RunStatus;
  from?: string;
  to?: string;
  cursor?: string;
}

function day(value: string, name: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new AppError("bad_request", `The ${name} date must be a date like 2026-05-01`, [
      { path: name, message: "not a date (YYYY-MM-DD)" },
    ]);
  }
  return ms;
}

/**
 * Reads the runs page's filters (workflow id, status, created from/to as whole UTC days, both
 * included, and the page cursor); anything malformed is a 400 naming the field.
 */
export function parseRunsQuery(q: Record<string, string | undefined>): {
  query: RunsQuery;
  filter: RunFilter;
  after?: { t: number; id: string };
} {
  const query: RunsQuery = {};
  const filter: RunFilter = {};
  const workflow = q.workflow?.trim();
  if (workflow) {
    if (!ID_PATTERN.test(workflow)) throw new AppError("bad_request", `'${workflow}' is not a workflow id`);
    query.workflow = filter.workflowId = workflow;
  }
  const status = q.status?.trim();
  if (status) {
    if (!RUN_STATUSES.includes(status as RunStatus)) {
      throw new AppError("bad_request", `'${status}' is not a run status (${RUN_STATUSES.join(", ")})`);
    }
    query.status = filter.status = status as RunStatus;
  }
  const from = q.from?.trim();
  if (from) {
    filter.createdFrom = day(from, "from");
    query.from = from;
  }
  const to = q.to?.trim();
  if (to) {
    filter.createdTo = day(to, "to") + DAY_MS;
    query.to = to;
  }
  if (
    filter.createdFrom !== undefined &&
    filter.createdTo !== undefined &&
    filter.createdFrom >= filter.createdTo
  ) {
    throw new AppError("bad_request", "The 'from' date is after the 'to' date");
  }
  const cursor = q.cursor?.trim();
  if (!cursor) return { query, filter };
  query.cursor = cursor;
  return {
    query,
    filter,
    after: decodeTimeCursor(cursor),
  };
}

/** The runs page's URL for `query` (empty fields left out). */
export function runsHref(query: RunsQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `/console/runs?${s}` : "/console/runs";
}
