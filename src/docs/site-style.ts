/** The page's stylesheet, inlined into index.html: system fonts only, nothing fetched. */
export const SITE_STYLE = `
:root {
  --bg: #f7f8fa; --panel: #fff; --line: #dde1e7; --text: #1f2430; --muted: #6b7280;
  --model: #2f6fdb; --source: #138a72; --tests: #7c4dbd; --export: #c26a12;
  --ok: #1f9d55; --bad: #d64545; --warn: #c98a0b; --none: #9aa3af;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--text); background: var(--bg); display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: #1f2430; color: #fff; }
header h1 { font-size: 16px; margin: 0; white-space: nowrap; }
header h1 a { color: inherit; text-decoration: none; }
header .generated { margin-left: auto; font-size: 12px; color: #b8c0cc; white-space: nowrap; }
#search { width: 340px; padding: 6px 10px; border-radius: 6px; border: 1px solid #4b5563;
  background: #2b3240; color: #fff; font: inherit; }
#search::placeholder { color: #9aa3af; }
.layout { flex: 1; display: flex; min-height: 0; }
aside { width: 260px; flex: none; overflow: auto; background: var(--panel); border-right: 1px solid var(--line); padding: 8px 0; }
aside h4 { margin: 12px 16px 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
aside ul { list-style: none; margin: 0; padding: 0; }
aside a { display: block; padding: 3px 16px; color: var(--text); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
aside a:hover, aside a.current { background: #eef3fd; }
aside a.current { font-weight: 600; }
#results .hit a { display: flex; gap: 8px; align-items: baseline; }
#results .kind { font-size: 10px; text-transform: uppercase; color: var(--muted); width: 44px; flex: none; }
#results .hit-columns { padding-left: 68px; font-size: 12px; }
#results > li.muted { padding: 4px 16px; }
main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
#graph-pane { position: relative; height: 50vh; min-height: 240px; background: var(--panel); border-bottom: 1px solid var(--line); }
#graph { width: 100%; height: 100%; display: block; cursor: grab; user-select: none; }
#graph.panning { cursor: grabbing; }
.controls { position: absolute; right: 10px; bottom: 6px; display: flex; gap: 4px; }
.controls button { width: 30px; height: 28px; border: 1px solid var(--line); background: #fff; border-radius: 5px; cursor: pointer; font: 14px var(--mono); }
.legend { position: absolute; left: 10px; bottom: 8px; font-size: 11px; color: var(--muted); display: flex; gap: 10px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.edge { fill: none; stroke: #b4bcc8; stroke-width: 1.4; }
.edge.active { stroke: #1f2430; stroke-width: 2; }
marker path { fill: #8c95a3; }
.node { cursor: pointer; }
.node rect { fill: #fff; stroke: var(--model); stroke-width: 1.5; }
.node.kind-source rect { stroke: var(--source); fill: #eefaf6; }
.node.kind-tests rect, .node.kind-test rect { stroke: var(--tests); fill: #f6f1fd; }
.node.kind-export rect { stroke: var(--export); fill: #fdf5ec; }
.node text { font: 12px var(--mono); fill: var(--text); pointer-events: none; }
.node text.detail { font-size: 10.5px; fill: var(--muted); }
.node.status-success rect, .node.status-pass rect { stroke-width: 1.5; }
.node.status-success rect { fill: #eef8f1; }
.node.status-failed rect, .node.status-fail rect { fill: #fdeeee; stroke: var(--bad); }
.node.status-warn rect, .node.status-skipped rect { fill: #fdf7e6; }
.node:hover rect { stroke-width: 2.5; }
.node.selected rect { stroke-width: 3; filter: drop-shadow(0 1px 3px rgba(0,0,0,.25)); }
.node.dim { opacity: .25; }
.node.match rect { stroke-width: 3; }
#pages { flex: 1; overflow: auto; padding: 4px 28px 40px; }
.page { max-width: 1100px; }
.page h2 { margin: 16px 0 2px; font-size: 22px; }
.page h3 { margin: 22px 0 6px; font-size: 15px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
.page .kind { font-size: 12px; font-weight: 500; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 1px 8px; vertical-align: 3px; }
.meta { color: var(--muted); margin: 2px 0 8px; }
.tag { font-size: 11px; background: #eef0f4; border-radius: 8px; padding: 1px 7px; }
.muted { color: var(--muted); }
code { font: 12.5px var(--mono); background: #eef0f4; padding: 0 3px; border-radius: 3px; }
pre { background: #1f2430; color: #e6e9ef; padding: 12px 14px; border-radius: 6px; overflow: auto; font: 12.5px/1.5 var(--mono); }
pre code { background: none; padding: 0; font: inherit; color: inherit; }
pre.error { background: #fdeeee; color: #8a1f1f; white-space: pre-wrap; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--model); }
table { border-collapse: collapse; width: 100%; background: var(--panel); font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; }
td p { margin: 0 0 4px; }
table.config { width: auto; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 9px; padding: 1px 8px; color: #fff; background: var(--none); }
.badge:empty { width: 9px; height: 9px; padding: 0; vertical-align: 0; }
.badge.status-success, .badge.status-pass { background: var(--ok); }
.badge.status-failed, .badge.status-fail, .badge.status-error { background: var(--bad); }
.badge.status-skipped, .badge.status-warn { background: var(--warn); }
.last-build { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
a.ref { margin-right: 6px; }
a { color: var(--model); }
`;
