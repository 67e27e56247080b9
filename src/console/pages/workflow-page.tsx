import type { WorkflowVersionRow } from "../../db/schema";
import type { Definition } from "../../definitions/types";
import { GraphSvg } from "../graph/graph-svg";
import { layoutGraph } from "../graph/layout";
import { stepGraph } from "../graph/step-graph";
import { completionRate, type WorkflowStats } from "../stats";
import { Code, duration, usd, When } from "../ui/format";
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
  const rate = completionRate(s);
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">Stats (all versions)</h2>
      <ul class="counts" aria-label="Runs per status">
        <li>
          <a href={`/console/runs?workflow=${props.id}`}>runs: {s.runs.total}</a>
        </li>
        {RUN_STATUSES.map((st) => (
          <li>
            <a href={`/console/runs?workflow=${props.id}&status=${st}`}>
              {st}: {s.runs.by_status[st]}
            </a>
          </li>
        ))}
      </ul>
      <ul class="facts" aria-label="Totals">
        <li>completion rate: {rate === null ? "no finished run yet" : `${Math.round(rate * 100)}%`}</li>
        {s.duration_ms.p50 !== null ? <li>duration p50 {duration(s.duration_ms.p50)}</li> : null}
        {s.duration_ms.p95 !== null ? <li>p95 {duration(s.duration_ms.p95)}</li> : null}
        <li>
          AI: {s.ai.attempts} attempts, {s.ai.re_asks} re-asks, {s.ai.human_fixes} human fixes
        </li>
        <li>
          tokens {s.ai.tokens_prompt} in / {s.ai.tokens_output} out
        </li>
        <li>cost {usd(s.ai.cost_usd)}</li>
      </ul>
    </section>
  );
}

/** A workflow: its versions, the step graph of the chosen one (SVG), its YAML, and the workflow's stats. */
export function WorkflowPage(props: { view: WorkflowView }) {
  const { id, version, definition, versions, stats } = props.view;
  const { nodes, edges, ranks } = stepGraph(definition);
  const graph = layoutGraph(nodes, edges, ranks);
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
          <li>thick green: parallel, its branches run side by side</li>
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
