import dagre from "@dagrejs/dagre";
import type { LineageEdge, LineageNode } from "./docs-manifest.ts";

export interface PlacedNode extends LineageNode {
  /** Top-left corner and size, in SVG units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends LineageEdge {
  points: { x: number; y: number }[];
}

export interface LineageLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Monospace label: about this wide per character at the site's 12 px. */
const CHAR_WIDTH = 7.3;
const NODE_HEIGHT = 38;
const MARGIN = 20;

/**
 * Left-to-right layered layout (dagre: sources on the left, exports and tests on the right), done
 * when the site is generated so the page ships coordinates, not a layout library.
 */
export function layOutLineage(nodes: readonly LineageNode[], edges: readonly LineageEdge[]): LineageLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 12, ranksep: 48, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    const chars = Math.max(n.label.length, n.detail.length);
    g.setNode(n.id, { width: Math.ceil(chars * CHAR_WIDTH + 24), height: NODE_HEIGHT });
  }
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: nodes.map((n) => {
      const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
      return { ...n, x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height };
    }),
    edges: edges.map((e) => {
      const label = g.edge(e.from, e.to) as { points?: { x: number; y: number }[] } | undefined;
      return { ...e, points: label?.points ?? [] };
    }),
  };
}
