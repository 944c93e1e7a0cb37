import { formatDuration } from "../log/timestamp.ts";
import type {
  DocsManifest,
  ExportNodeDoc,
  LineageNode,
  ModelDoc,
  SourceDoc,
  TestDoc,
} from "./docs-manifest.ts";
import { escapeHtml as h, proseHtml } from "./escape-html.ts";
import type { LastBuild, LastTestResult } from "./ledger.ts";

/** The sections of the site, one per node (a model's tests are on the model's), and the overview. */

const time = (iso: string | undefined) =>
  iso ? h(iso.replace("T", " ").replace(/\.\d+(?=[-+Z]|$)/, "")) : "";

const badge = (status: string, text = status) => `<span class="badge status-${h(status)}">${h(text)}</span>`;

function table(head: string[], rows: string[][], cls = ""): string {
  if (rows.length === 0) return "";
  const th = head.map((c) => `<th>${c}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const sql = (text: string) => `<pre class="sql"><code>${h(text)}</code></pre>`;

function links(ids: readonly string[], nodes: ReadonlyMap<string, LineageNode>): string {
  if (ids.length === 0) return "<em>none</em>";
  return ids
    .map((id) => {
      const n = nodes.get(id);
      return `<a class="ref kind-${n?.kind ?? "model"}" href="#${h(n?.href ?? id)}">${h(n?.label ?? id)}</a>`;
    })
    .join(" ");
}

function buildBlock(b: LastBuild | undefined, ledger: DocsManifest["ledger"]): string {
  if (!ledger.available) return `<p class="muted">No build results: ${h(ledger.reason)}.</p>`;
  if (!b) return `<p class="muted">Never built (no row in elt.model_runs).</p>`;
  const facts = [
    `${badge(b.status)}`,
    b.mode ? `<span>${h(b.mode)} build</span>` : "",
    b.rows !== undefined ? `<span><b class="rows">${h(b.rows.toLocaleString("en-US"))}</b> rows</span>` : "",
    b.ms !== undefined ? `<span>${h(formatDuration(b.ms))}</span>` : "",
    b.finishedAt ? `<span>finished ${time(b.finishedAt)}</span>` : "",
    b.runId ? `<span>run ${h(b.runId)}</span>` : "",
    b.published === false ? `<span>not published</span>` : "",
  ].filter(Boolean);
  const error = b.error ? `<pre class="error">${h(b.error)}</pre>` : "";
  return `<div class="last-build" data-status="${h(b.status)}">${facts.join(" · ")}</div>${error}`;
}

function resultCell(r: LastTestResult | undefined, ledger: DocsManifest["ledger"]): string {
  if (!ledger.available || !r) return `<span class="muted">—</span>`;
  const failures = r.failures ? ` ${h(String(r.failures))} failing` : "";
  const scope = r.scope ? ` <span class="muted">(${h(r.scope)})</span>` : "";
  return `${badge(r.status)}${failures}${scope}`;
}

function testsTable(tests: readonly TestDoc[], ledger: DocsManifest["ledger"]): string {
  return table(
    ["test", "kind", "column", "severity", "last result", "finished"],
    tests.map((t) => [
      t.kind === "singular" ? `<a href="#test:${h(t.name)}">${h(t.name)}</a>` : h(t.name),
      h(t.kind),
      t.column ? `<code>${h(t.column)}</code>` : "",
      h(t.severity),
      resultCell(t.last, ledger),
      time(t.last?.finishedAt),
    ]),
    "tests",
  );
}

function modelPage(m: ModelDoc, ctx: PageContext): string {
  const tests = m.tests.map((n) => ctx.tests.get(n)).filter((t): t is TestDoc => t !== undefined);
  const testStatus = (name: string) => {
    const r = ctx.tests.get(name)?.last;
    return r && ctx.ledger.available ? ` ${badge(r.status, "")}` : "";
  };
  const columns = table(
    ["column", "type", "description", "tests"],
    m.columns.map((c) => [
      `<code class="column-name">${h(c.name)}</code>`,
      c.type ? `<code>${h(c.type)}</code>` : "",
      c.description ? proseHtml(c.description) : "",
      c.tests.map((t) => `<span class="test-name">${h(t)}${testStatus(t)}</span>`).join("<br>"),
    ]),
    "columns",
  );
  return `<article class="page" id="model:${h(m.name)}" data-kind="model" hidden>
<h2>${h(m.name)} <span class="kind">${h(m.materialized)}</span></h2>
<p class="meta"><code>${h(m.relation)}</code> · <code>${h(m.path)}</code>${m.tags.map((t) => ` <span class="tag">${h(t)}</span>`).join("")}</p>
<div class="description">${m.description ? proseHtml(m.description) : `<p class="muted">No description.</p>`}</div>
<h3>Last build</h3>
${buildBlock(m.lastBuild, ctx.ledger)}
<h3>Lineage</h3>
<p>Reads: ${links(m.upstream, ctx.nodes)}</p>
<p>Read by: ${links(m.downstream, ctx.nodes)}</p>
<h3>Config</h3>
${table(
  ["key", "value"],
  m.config.map(([k, v]) => [`<code>${h(k)}</code>`, h(v)]),
  "config",
)}
<h3>Columns</h3>
${columns || `<p class="muted">No columns documented.</p>`}
<h3>Tests</h3>
${testsTable(tests, ctx.ledger) || `<p class="muted">No tests.</p>`}
<h3>Compiled SQL</h3>
${sql(m.compiledSql)}
${m.incrementalSql ? `<details><summary>Compiled SQL of an incremental build</summary>${sql(m.incrementalSql)}</details>` : ""}
<details><summary>Source: <code>${h(m.path)}</code></summary>${sql(m.source)}</details>
</article>`;
}

function sourcePage(s: SourceDoc, ctx: PageContext): string {
  const columns = table(
    ["column", "description"],
    s.columns.map((c) => [
      `<code class="column-name">${h(c.name)}</code>`,
      c.description ? proseHtml(c.description) : "",
    ]),
    "columns",
  );
  return `<article class="page" id="source:${h(s.key)}" data-kind="source" hidden>
<h2>${h(s.key)} <span class="kind">source</span></h2>
<p class="meta"><code>${h(s.relation)}</code> · declared in <code>${h(s.path)}</code></p>
<div class="description">${s.description ? proseHtml(s.description) : `<p class="muted">No description.</p>`}</div>
<h3>Read by</h3>
<p>${links(s.downstream, ctx.nodes)}</p>
${columns ? `<h3>Columns</h3>${columns}` : ""}
${
  s.config.length > 0
    ? `<h3>Config</h3>${table(
        ["key", "value"],
        s.config.map(([k, v]) => [`<code>${h(k)}</code>`, `<code>${h(v)}</code>`]),
        "config",
      )}`
    : ""
}
</article>`;
}

function testPage(t: TestDoc, ctx: PageContext): string {
  return `<article class="page" id="test:${h(t.name)}" data-kind="test" hidden>
<h2>${h(t.name)} <span class="kind">test</span></h2>
<p class="meta"><code>${h(t.path)}</code> · severity ${h(t.severity)}</p>
<h3>Last result</h3>
<p>${resultCell(t.last, ctx.ledger)} ${time(t.last?.finishedAt)}</p>
${t.last?.error ? `<pre class="error">${h(t.last.error)}</pre>` : ""}
<h3>Reads</h3>
<p>${links(
    t.refs.map((r) => `model:${r}`),
    ctx.nodes,
  )}</p>
<h3>SQL (returns the failing rows)</h3>
${sql(t.sql)}
</article>`;
}

function exportPage(x: ExportNodeDoc, ctx: PageContext): string {
  return `<article class="page" id="export:${h(x.name)}" data-kind="export" hidden>
<h2>${h(x.name)} <span class="kind">export</span></h2>
<div class="description">${proseHtml(x.description)}</div>
<p>Writes to ${h(x.target)}; ${x.configured ? "configured" : "<b>not configured</b> in project.yml (the demo writes a local preview)"}.</p>
<h3>Reads</h3>
<p>${x.reads.map((r) => `<code>${h(r)}</code>`).join(" ")}</p>
<p>${links(x.upstream, ctx.nodes)}</p>
</article>`;
}

function overview(m: DocsManifest, ctx: PageContext): string {
  const rows = m.models.map((d) => [
    `<a href="#model:${h(d.name)}">${h(d.name)}</a>`,
    h(d.materialized),
    d.lastBuild ? badge(d.lastBuild.status) : `<span class="muted">—</span>`,
    d.lastBuild?.rows !== undefined ? h(d.lastBuild.rows.toLocaleString("en-US")) : "",
    d.lastBuild?.ms !== undefined ? h(formatDuration(d.lastBuild.ms)) : "",
    time(d.lastBuild?.finishedAt),
  ]);
  const results = m.tests.map((t) => t.last?.status).filter(Boolean);
  const passed = results.filter((s) => s === "pass").length;
  return `<article class="page" id="overview" data-kind="overview">
<h2>${h(m.project)}</h2>
<p>${m.models.length} models, ${m.sources.length} sources, ${m.tests.length} tests, ${m.exports.length} exports.
${
  ctx.ledger.available
    ? `Last test results: ${passed} of ${m.tests.length} passed${results.length < m.tests.length ? ` (${m.tests.length - results.length} never ran)` : ""}.`
    : `<span class="muted">No build or test results: ${h(ctx.ledger.reason)}.</span>`
}</p>
<p class="muted">Click a node in the graph (drag to pan, wheel to zoom) or search for a model or a column.</p>
<h3>Models in build order</h3>
${table(["model", "materialized", "last build", "rows", "duration", "finished"], rows, "overview")}
</article>`;
}

interface PageContext {
  ledger: DocsManifest["ledger"];
  nodes: ReadonlyMap<string, LineageNode>;
  tests: ReadonlyMap<string, TestDoc>;
}

/** Every section of the site, the overview first (shown when the address names none). */
export function renderPages(m: DocsManifest): string {
  const ctx: PageContext = {
    ledger: m.ledger,
    nodes: new Map(m.nodes.map((n) => [n.id, n])),
    tests: new Map(m.tests.map((t) => [t.name, t])),
  };
  return [
    overview(m, ctx),
    ...m.models.map((d) => modelPage(d, ctx)),
    ...m.sources.map((s) => sourcePage(s, ctx)),
    ...m.tests.filter((t) => t.kind === "singular").map((t) => testPage(t, ctx)),
    ...m.exports.map((x) => exportPage(x, ctx)),
  ].join("\n");
}
