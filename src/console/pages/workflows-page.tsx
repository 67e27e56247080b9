import type { WorkflowRow, WorkflowVersionRow } from "../../db/schema";
import { When } from "../ui/format";

/** The workflows page: every live workflow with its latest version. */
export function WorkflowsPage(props: {
  items: Array<{ workflow: WorkflowRow; version: WorkflowVersionRow }>;
  nextAfter: string | null;
}) {
  if (props.items.length === 0) return <p>No workflows yet. Save one with POST /v1/workflows.</p>;
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Workflow</th>
              <th scope="col">Name</th>
              <th scope="col">Latest version</th>
              <th scope="col">Updated</th>
              <th scope="col">Runs</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map(({ workflow, version }) => (
              <tr>
                <td>
                  <a href={`/console/workflows/${workflow.id}`}>{workflow.id}</a>
                </td>
                <td>{version.name}</td>
                <td>v{workflow.latestVersion}</td>
                <td>
                  <When at={workflow.updatedAt} />
                </td>
                <td>
                  <a href={`/console/runs?workflow=${workflow.id}`}>runs</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.nextAfter ? (
        <nav class="pager" aria-label="Pages">
          <a href={`/console/workflows?after=${encodeURIComponent(props.nextAfter)}`} rel="next">
            More workflows
          </a>
        </nav>
      ) : null}
    </>
  );
}
