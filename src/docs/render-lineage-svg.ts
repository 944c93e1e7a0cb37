import { escapeHtml } from "./escape-html.ts";
import type { LineageLayout, PlacedEdge } from "./lay-out-lineage.ts";

const round = (n: number) => Math.round(n * 10) / 10;

/** Through dagre's points, with the corners softened (quadratic curves through the midpoints). */
function edgePath(points: PlacedEdge["points"]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i] as { x: number; y: number };
    const next = rest[i + 1];
    if (!next) d += ` L${round(p.x)},${round(p.y)}`;
    else d += ` Q${round(p.x)},${round(p.y)} ${round((p.x + next.x) / 2)},${round((p.y + next.y) / 2)}`;
  }
  return d;
}

/**
 * The lineage graph as SVG: each node a link to its section (`#model:x`), so a click navigates
 * even before the page's script runs; the script adds panning, zooming and search highlighting.
 */
export function renderLineageSvg(layout: LineageLayout): string {
  const edges = layout.edges
    .map(
      (e) =>
        `<path class="edge" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" d="${edgePath(e.points)}" marker-end="url(#arrow)"/>`,
    )
    .join("\n");
  const nodes = layout.nodes
    .map((n) => {
      const attrs = `class="node kind-${n.kind} status-${n.status}" data-id="${escapeHtml(n.id)}" href="#${escapeHtml(n.href)}"`;
      return `<a ${attrs} transform="translate(${round(n.x)},${round(n.y)})"><title>${escapeHtml(`${n.label} (${n.detail}, ${n.status === "none" ? "no result recorded" : n.status})`)}</title><rect width="${round(n.width)}" height="${round(n.height)}" rx="6"/><text class="label" x="10" y="16">${escapeHtml(n.label)}</text><text class="detail" x="10" y="30">${escapeHtml(n.detail)}</text></a>`;
    })
    .join("\n");
  return `<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Lineage graph" data-width="${layout.width}" data-height="${layout.height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
<g id="viewport">
${edges}
${nodes}
</g>
</svg>`;
}
