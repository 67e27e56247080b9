import type { WorkflowVersionRow } from "../../db/schema";
import type { Definition } from "../../definitions/types";
import { GraphSvg } from "../graph/graph-svg";
import { layoutGraph } from "../graph/layout";
import { stepGraph } from "../graph/step-graph";
import type { WorkflowStats } from "../stats";
import { Code, duration, When } from "../ui/format";
import { RUN_STATUSES } from "./runs-query";

export interface WorkflowView {
  id: string;
  version: WorkflowVersionRow;
  definition: Definition;
  versions: Array<{ version: number; name: string; createdBy: string; createdAt: number }>;
  stats: WorkflowStats;
}

function Stats(props: { id: string; stats: WorkflowStats }) {
  const s = props.stats;
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">Stats (all versions)</h2>
      <ul class="counts" aria-label="Runs per status">
        <li>
          <a href={`/console/runs?workflow=${props.id}`}>runs: {s.total}</a>
        </li>
        {RUN_STATUSES.map((st) => (
          <li>
            <a href={`/console/runs?workflow=${props.id}&status=${st}`}>
              {st}: {s.runs[st] ?? 0}
            </a>
          </li>
        ))}
      </ul>
      <ul class="facts">
        <li>
          completion rate:{" "}
          {s.completionRate === null ? "no finished run yet" : `${Math.round(s.completionRate * 100)}%`}
        </li>
        {s.durationP50Ms !== undefined ? <li>duration p50 {duration(s.durationP50Ms)}</li> : null}
        {s.durationP95Ms !== undefined ? <li>p95 {duration(s.durationP95Ms)}</li> : null}
        {s.tokens !== undefined ? <li>tokens {s.tokens}</li> : null}
        {s.costUsd !== undefined ? <li>cost ${s.costUsd.toFixed(4)}</li> : null}
      </ul>
    </section>
  );
}

/** A workflow: its versions, the step graph of the chosen one (SVG), its YAML, and the workflow's stats. */
export function WorkflowPage(props: { view: WorkflowView }) {
  const { id, version, definition, versions, stats } = props.view;
  const { nodes, edges } = stepGraph(definition);
  const graph = layoutGraph(nodes, edges);
  return (
    <>
      <p class="meta">
        {definition.name} · version {version.version} saved by {version.createdBy} on{" "}
        <When at={version.createdAt} />
      </p>
      {definition.description ? <p>{definition.description}</p> : null}
      <Stats id={id} stats={stats} />
      <section aria-labelledby="graph-h">
        <h2 id="graph-h">Steps of version {version.version}</h2>
        <ul class="legend" aria-label="Legend">
          <li>solid purple: AI step</li>
          <li>dashed orange: waits for a person (form, approval)</li>
          <li>rounded blue: branch, labelled with its conditions</li>
        </ul>
        <div class="graph">
          <GraphSvg
            graph={graph}
            title={`Step graph of ${id} version ${version.version}: ${nodes.length} steps`}
          />
        </div>
      </section>
      <section aria-labelledby="versions-h">
        <h2 id="versions-h">Versions</h2>
        <ul>
          {versions.map((v) => (
            <li>
              {v.version === version.version ? (
                <strong aria-current="page">v{v.version}</strong>
              ) : (
                <a href={`/console/workflows/${id}?version=${v.version}`}>v{v.version}</a>
              )}{" "}
              {v.name} · {v.createdBy} · <When at={v.createdAt} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="source-h">
        <h2 id="source-h">
          {version.sourceFormat === "yaml" ? "YAML" : "JSON"} of version {version.version}
        </h2>
        <Code id="workflow-source" value={version.source} label="Workflow source" />
      </section>
    </>
  );
}
