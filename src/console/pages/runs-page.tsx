import type { RunSummary } from "../../db/run-index";
import type { RunStatus } from "../../engine/state";
import { Status, When } from "../ui/format";
import { RUN_STATUSES, type RunsQuery, runsHref } from "./runs-query";

/** What the runs page shows: one page of runs, the counts per status under the same filters, the next cursor. */
export interface RunsView {
  query: RunsQuery;
  runs: RunSummary[];
  counts: Partial<Record<RunStatus, number>>;
  nextCursor: string | null;
  workflowIds: string[];
}

function Filters(props: { query: RunsQuery; workflowIds: string[] }) {
  const q = props.query;
  return (
    <form class="filters" method="get" action="/console/runs" aria-label="Filter runs">
      <div class="field">
        <label for="f-workflow">Workflow</label>
        <input
          id="f-workflow"
          name="workflow"
          value={q.workflow ?? ""}
          list="workflow-ids"
          autocomplete="off"
        />
        <datalist id="workflow-ids">
          {props.workflowIds.map((id) => (
            <option value={id} />
          ))}
        </datalist>
      </div>
      <div class="field">
        <label for="f-status">Status</label>
        <select id="f-status" name="status">
          <option value="">any</option>
          {RUN_STATUSES.map((s) => (
            <option value={s} selected={q.status === s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-from">Created from</label>
        <input id="f-from" name="from" type="date" value={q.from ?? ""} />
      </div>
      <div class="field">
        <label for="f-to">Created to</label>
        <input id="f-to" name="to" type="date" value={q.to ?? ""} />
      </div>
      <button type="submit">Filter</button>
    </form>
  );
}

function Counts(props: { query: RunsQuery; counts: RunsView["counts"] }) {
  const base = { ...props.query, cursor: undefined };
  const total = Object.values(props.counts).reduce((a, b) => a + (b ?? 0), 0);
  return (
    <ul class="counts" aria-label="Runs per status">
      <li>
        <a href={runsHref({ ...base, status: undefined })}>all: {total}</a>
      </li>
      {RUN_STATUSES.map((s) => (
        <li>
          <a
            href={runsHref({ ...base, status: s })}
            aria-current={props.query.status === s ? "true" : undefined}
          >
            {s}: {props.counts[s] ?? 0}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The runs page: filters, counts per status, the table, and cursor paging. */
export function RunsPage(props: { view: RunsView }) {
  const { query, runs, nextCursor } = props.view;
  return (
    <>
      <Filters query={query} workflowIds={props.view.workflowIds} />
      <Counts query={query} counts={props.view.counts} />
      {runs.length === 0 ? (
        <p>No runs match these filters.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="muted">Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Step</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr>
                  <td>
                    <a href={`/console/runs/${r.id}`}>{r.id}</a>
                  </td>
                  <td>
                    <a href={`/console/workflows/${r.workflowId}?version=${r.workflowVersion}`}>
                      {r.workflowId} v{r.workflowVersion}
                    </a>
                  </td>
                  <td>
                    <Status status={r.status} />
                  </td>
                  <td>{r.currentStep ?? "—"}</td>
                  <td>
                    <When at={r.createdAt} />
                  </td>
                  <td>
                    <When at={r.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {query.cursor ? <a href={runsHref({ ...query, cursor: undefined })}>First page</a> : null}
        {nextCursor ? (
          <a href={runsHref({ ...query, cursor: nextCursor })} rel="next">
            Older runs
          </a>
        ) : null}
      </nav>
    </>
  );
}
