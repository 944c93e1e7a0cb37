/**
 * The page's script, inlined into index.html: hash routing (`#model:my_model` shows that
 * section), panning (drag) and zooming (wheel, buttons) of the lineage SVG, and the search box.
 * A string rather than a function's source: tsx and tsc would each transform a function's text.
 * It writes user content only through textContent, never innerHTML.
 */
export const SITE_SCRIPT = `
(() => {
  "use strict";
  const svg = document.getElementById("graph");
  const viewport = document.getElementById("viewport");
  const pane = document.getElementById("graph-pane");
  const nodes = [...document.querySelectorAll("#graph .node")];
  const edges = [...document.querySelectorAll("#graph .edge")];
  const W = Number(svg.dataset.width) || 1;
  const H = Number(svg.dataset.height) || 1;
  let view = { x: 0, y: 0, k: 1 };

  function apply() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  // Fits the whole graph, clear of the legend and the buttons along the bottom edge.
  function fit() {
    const r = svg.getBoundingClientRect();
    const pad = 36;
    const k = Math.min(r.width / W, (r.height - pad) / H, 1.25);
    view = { k, x: (r.width - W * k) / 2, y: (r.height - pad - H * k) / 2 };
    apply();
  }
  function zoomAt(px, py, factor) {
    const k = Math.min(4, Math.max(0.15, view.k * factor));
    view.x = px - ((px - view.x) * k) / view.k;
    view.y = py - ((py - view.y) * k) / view.k;
    view.k = k;
    apply();
  }

  // A drag pans; the click that ends a drag must not also open the node it started on.
  let drag = null;
  let dragged = false;
  svg.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    dragged = false;
  });
  window.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
    dragged = true;
    svg.classList.add("panning");
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    apply();
  });
  window.addEventListener("pointerup", () => {
    drag = null;
    svg.classList.remove("panning");
  });
  svg.addEventListener("click", (e) => {
    if (dragged) {
      e.preventDefault();
      e.stopPropagation();
      dragged = false;
    }
  }, true);
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.0015));
  }, { passive: false });
  const center = (f) => {
    const r = svg.getBoundingClientRect();
    zoomAt(r.width / 2, r.height / 2, f);
  };
  document.getElementById("zoom-in").addEventListener("click", () => center(1.25));
  document.getElementById("zoom-out").addEventListener("click", () => center(0.8));
  document.getElementById("zoom-fit").addEventListener("click", fit);
  window.addEventListener("resize", fit);

  // Routing: the address names a section; its node and edges are highlighted in the graph.
  const title = document.title;
  function route() {
    const id = decodeURIComponent(location.hash.slice(1));
    let page = id ? document.getElementById(id) : null;
    if (!page || !page.classList.contains("page")) page = document.getElementById("overview");
    for (const p of document.querySelectorAll(".page")) p.hidden = p !== page;
    const href = "#" + page.id;
    const own = new Set(nodes.filter((n) => n.getAttribute("href") === href).map((n) => n.dataset.id));
    for (const n of nodes) n.classList.toggle("selected", own.has(n.dataset.id));
    for (const e of edges) e.classList.toggle("active", own.has(e.dataset.from) || own.has(e.dataset.to));
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("current", a.getAttribute("href") === href);
    document.title = page.id === "overview" ? title : page.querySelector("h2").firstChild.textContent.trim() + " · " + title;
    document.getElementById("pages").scrollTop = 0;
  }
  window.addEventListener("hashchange", route);

  // Search: models, sources, tests and exports by name and description, and the columns they hold.
  const index = JSON.parse(document.getElementById("search-index").textContent);
  const input = document.getElementById("search");
  const results = document.getElementById("results");
  const nav = document.getElementById("nav");
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function search() {
    const q = input.value.trim().toLowerCase();
    results.replaceChildren();
    if (!q) {
      results.hidden = true;
      nav.hidden = false;
      for (const n of nodes) n.classList.remove("match", "dim");
      return;
    }
    const has = (s) => (s || "").toLowerCase().includes(q);
    const hits = [];
    for (const entry of index) {
      const name = has(entry.label);
      const columns = entry.columns.filter((c) => has(c.name));
      const described = entry.columns.filter((c) => !has(c.name) && has(c.description));
      if (name || columns.length || described.length || has(entry.text)) {
        hits.push({ entry, score: name ? 0 : columns.length ? 1 : 2, columns: columns.concat(described) });
      }
    }
    hits.sort((a, b) => a.score - b.score);
    for (const hit of hits) {
      const li = el("li", "hit kind-" + hit.entry.kind);
      const a = el("a");
      a.href = "#" + hit.entry.href;
      a.append(el("span", "kind", hit.entry.kind), el("span", "name", hit.entry.label));
      li.append(a);
      if (hit.columns.length) {
        const ul = el("ul", "hit-columns");
        for (const c of hit.columns) {
          const item = el("li", "hit-column");
          item.append(el("span", "muted", "column "), el("code", "", c.name));
          ul.append(item);
        }
        li.append(ul);
      }
      results.append(li);
    }
    if (!hits.length) results.append(el("li", "muted", "Nothing matches “" + input.value.trim() + "”."));
    results.hidden = false;
    nav.hidden = true;
    const found = new Set(hits.map((h) => "#" + h.entry.href));
    for (const n of nodes) {
      const match = found.has(n.getAttribute("href"));
      n.classList.toggle("match", match);
      n.classList.toggle("dim", !match);
    }
  }
  input.addEventListener("input", search);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      const first = results.querySelector("a");
      if (first) location.hash = first.getAttribute("href");
    } else if (e.key === "Escape") {
      input.value = "";
      search();
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== input) {
      e.preventDefault();
      input.focus();
    }
  });

  fit();
  route();
  pane.classList.add("ready");
})();
`;
