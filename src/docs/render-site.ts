import type { DocsManifest, NodeKind } from "./docs-manifest.ts";
import { escapeHtml as h, scriptJson } from "./escape-html.ts";
import { layOutLineage } from "./lay-out-lineage.ts";
import { renderLineageSvg } from "./render-lineage-svg.ts";
import { renderPages } from "./render-pages.ts";
import { SITE_SCRIPT } from "./site-script.ts";
import { SITE_STYLE } from "./site-style.ts";

/** One entry of the search box's index: a section, its text and the columns it holds. */
interface SearchEntry {
  href: string;
  kind: NodeKind;
  label: string;
  text: string;
  columns: { name: string; description?: string }[];
}

function searchIndex(m: DocsManifest): SearchEntry[] {
  return [
    ...m.models.map((d) => ({
      href: `model:${d.name}`,
      kind: "model" as const,
      label: d.name,
      text: `${d.relation} ${d.description ?? ""}`,
      columns: d.columns.map((c) => ({
        name: c.name,
        ...(c.description ? { description: c.description } : {}),
      })),
    })),
    ...m.sources.map((s) => ({
      href: `source:${s.key}`,
      kind: "source" as const,
      label: s.key,
      text: `${s.relation} ${s.description ?? ""}`,
      columns: s.columns,
    })),
    ...m.tests
      .filter((t) => t.kind === "singular")
      .map((t) => ({
        href: `test:${t.name}`,
        kind: "test" as const,
        label: t.name,
        text: t.path,
        columns: [],
      })),
    ...m.exports.map((x) => ({
      href: `export:${x.name}`,
      kind: "export" as const,
      label: x.name,
      text: x.description,
      columns: [],
    })),
  ];
}

function navList(title: string, items: { href: string; label: string }[]): string {
  if (items.length === 0) return "";
  const li = items.map((i) => `<li><a href="#${h(i.href)}">${h(i.label)}</a></li>`).join("");
  return `<h4>${h(title)}</h4><ul>${li}</ul>`;
}

const LEGEND: [string, string][] = [
  ["var(--source)", "source"],
  ["var(--model)", "model"],
  ["var(--tests)", "tests"],
  ["var(--export)", "export"],
  ["var(--ok)", "built / passed"],
  ["var(--bad)", "failed"],
];

/**
 * The whole site as one self-contained page: the lineage SVG (laid out here), every section,
 * the search index, and the inline style and script. Nothing is fetched when it is opened.
 */
export function renderSite(m: DocsManifest): string {
  const layout = layOutLineage(m.nodes, m.edges);
  const nav = [
    navList(
      "Models",
      m.models.map((d) => ({ href: `model:${d.name}`, label: d.name })),
    ),
    navList(
      "Sources",
      m.sources.map((s) => ({ href: `source:${s.key}`, label: s.key })),
    ),
    navList(
      "Tests",
      m.tests.filter((t) => t.kind === "singular").map((t) => ({ href: `test:${t.name}`, label: t.name })),
    ),
    navList(
      "Exports",
      m.exports.map((x) => ({ href: `export:${x.name}`, label: x.name })),
    ),
  ].join("");
  const legend = LEGEND.map(
    ([color, text]) => `<span><i style="background:${color}"></i>${text}</span>`,
  ).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(m.project)} · elt docs</title>
<style>${SITE_STYLE}</style>
</head>
<body>
<header>
<h1><a href="#overview">${h(m.project)} · elt docs</a></h1>
<input id="search" type="search" placeholder="Search models and columns (/)" autocomplete="off" aria-label="Search models and columns">
<span class="generated">generated ${h(m.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"))}${m.ledger.available ? "" : " · no ledger"}</span>
</header>
<div class="layout">
<aside>
<ul id="results" hidden></ul>
<nav id="nav"><ul><li><a href="#overview">Overview</a></li></ul>${nav}</nav>
</aside>
<main>
<section id="graph-pane">
${renderLineageSvg(layout)}
<div class="controls"><button id="zoom-in" title="Zoom in">+</button><button id="zoom-out" title="Zoom out">−</button><button id="zoom-fit" title="Fit the graph">⤢</button></div>
<div class="legend">${legend}</div>
</section>
<div id="pages">
${renderPages(m)}
</div>
</main>
</div>
<script type="application/json" id="search-index">${scriptJson(searchIndex(m))}</script>
<script>${SITE_SCRIPT}</script>
</body>
</html>
`;
}
