import type { PlacedGraph, PlacedNode } from "./layout";

const KIND: Record<string, string> = {
  ai_generate: "AI",
  form: "wait: form",
  approval: "wait: approval",
  conditional: "branch",
  api_call: "API call",
  workflow: "sub-workflow",
  parallel: "parallel",
};

const path = (points: Array<{ x: number; y: number }>) =>
  points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");

function Node(props: { n: PlacedNode }) {
  const { n } = props;
  const left = n.x - n.width / 2;
  const top = n.y - n.height / 2;
  const kind = KIND[n.type] ?? n.type;
  return (
    <g class={`node n-${n.type}${n.start ? " start" : ""}`} data-step={n.id}>
      <title>{`${n.id}: ${n.type}${n.start ? " (start step)" : ""}`}</title>
      <rect x={left} y={top} width={n.width} height={n.height} rx={n.type === "conditional" ? 16 : 6} />
      <text x={n.x} y={n.y - 4} text-anchor="middle" font-weight="600">
        {n.id}
      </text>
      <text x={n.x} y={n.y + 13} text-anchor="middle" class="kind">
        {n.start ? `start · ${kind}` : kind}
      </text>
    </g>
  );
}

/** The step graph as inline SVG, drawn on the server: boxes per step, arrows per transition, conditions on branches. */
export function GraphSvg(props: { graph: PlacedGraph; title: string }) {
  const { graph } = props;
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      width={graph.width}
      height={graph.height}
      role="img"
      aria-labelledby="graph-title"
    >
      <title id="graph-title">{props.title}</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0 0 L10 5 L0 10 z" fill="#57606a" />
        </marker>
      </defs>
      {graph.edges.map((e) => (
        <g class="transition">
          <path class="edge" d={path(e.points)} marker-end="url(#arrow)" />
          {e.label && e.labelAt ? (
            <text x={e.labelAt.x} y={e.labelAt.y + 4} text-anchor="middle" class="edge-label">
              {e.label}
            </text>
          ) : null}
        </g>
      ))}
      {graph.nodes.map((n) => (
        <Node n={n} />
      ))}
    </svg>
  );
}
