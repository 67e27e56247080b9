import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphNode } from "./step-graph";

/** A node placed by the layout: its centre and size. */
export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An edge routed by the layout: its points, and where its label goes. */
export interface PlacedEdge extends GraphEdge {
  points: Array<{ x: number; y: number }>;
  labelAt?: { x: number; y: number };
}

export interface PlacedGraph {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const CHAR_PX = 7.2;
const NODE_HEIGHT = 46;
const LABEL_HEIGHT = 14;

const nodeWidth = (n: GraphNode) =>
  Math.max(110, Math.ceil(Math.max(n.id.length, n.type.length + 2) * CHAR_PX) + 24);

/**
 * Lays the step graph out top to bottom with dagre (pure computation: no DOM, runs in workerd).
 * `ranks`: edges that only place their target below their source; they are not drawn.
 */
export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[], ranks: GraphEdge[] = []): PlacedGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 36, ranksep: 56, edgesep: 16, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: nodeWidth(n), height: NODE_HEIGHT });
  // dagre places a node's successors right to left in the order their edges were set: set last first,
  // so branches read left to right in the definition's order.
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i] as GraphEdge;
    const label = e.label ? { width: e.label.length * 6.2 + 8, height: LABEL_HEIGHT, labelpos: "c" } : {};
    g.setEdge(e.from, e.to, label, `e${i}`);
  }
  ranks.forEach((e, i) => {
    g.setEdge(e.from, e.to, { minlen: 1, weight: 0 }, `r${i}`);
  });
  dagre.layout(g);
  const placed: PlacedNode[] = nodes.map((n) => {
    const p = g.node(n.id);
    return { ...n, x: p.x, y: p.y, width: p.width, height: p.height };
  });
  const routed: PlacedEdge[] = edges.map((e, i) => {
    const p = g.edge(e.from, e.to, `e${i}`);
    const labelled = e.label && typeof p.x === "number" && typeof p.y === "number";
    return {
      ...e,
      points: p.points ?? [],
      ...(labelled ? { labelAt: { x: p.x as number, y: p.y as number } } : {}),
    };
  });
  const size = g.graph();
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: placed,
    edges: routed,
  };
}
