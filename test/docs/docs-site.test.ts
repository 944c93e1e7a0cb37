import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { type ProjectPlan, planProject } from "../../src/transform/plan-project.ts";
import { ELT_BIN, runElt } from "../helpers/cli.ts";
import { createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";

/**
 * `elt docs serve` for the shipped project over a real PostgreSQL whose ledger has builds and test
 * results, driven in Debian's chromium (headless, through puppeteer-core): every model has a node
 * in the lineage graph, a click opens the model's page, search finds a column's model, the last
 * build shows, and the graph pans and zooms.
 */

const CHROMIUM = process.env.ELT_CHROMIUM ?? "/usr/bin/chromium";

const passback = (user: string) =>
  `{'oauth_consumer_key': '', 'lis_result_sourcedid': 'course-v1:SkillFactory+DST-3.0:lms.skillfactory.ru-b1:${user}', 'lis_outcome_service_url': 'https://lms.skillfactory.ru/grade_handler'}`;
const RECORDS = [
  { lti_user_id: "u1", attempt_type: "run", is_correct: null, created_at: "2024-03-01 08:00:00" },
  { lti_user_id: "u1", attempt_type: "submit", is_correct: 1, created_at: "2024-03-01 08:05:00" },
  { lti_user_id: "u2", attempt_type: "submit", is_correct: 0, created_at: "2024-03-02 09:00:00" },
  { lti_user_id: "", attempt_type: "run", is_correct: null, created_at: "2024-03-02 10:00:00" },
].map((r) => ({ ...r, passback_params: passback(r.lti_user_id) }));

let db: TestDatabase;
let project: string;
let plan: ProjectPlan;
let server: ChildProcess | undefined;
let url: string;
let browser: Browser | undefined;
let page: Page;

/** `elt docs serve --port 0`, resolved with the URL it prints once it listens. */
function serveDocs(cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ELT_BIN, "docs", "serve", "--port", "0"], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server = child;
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => reject(new Error(`elt docs serve exited ${code}:\n${out}\n${err}`)));
  });
}

beforeAll(async () => {
  // Not a skip: a machine without the browser must not pass the suite unseen (.ci/run installs it).
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set ELT_CHROMIUM to a Chrome/Chromium binary)`,
    );
  }
  db = await createTestDatabase("docs_site");
  project = tempProject({
    "project.yml": `name: grade\ndatabase:\n  url: ${db.url}\nlogs:\n  dir: logs\n${SHIPPED_MODELS_YAML}\n`,
  });
  const { config } = loadProject(project, { env: {} });
  plan = planProject({ projectDir: project, config });

  const conn = await openDatabase({ url: db.url, embeddedDir: "unused" });
  try {
    await migrate(conn, {});
    await conn.query(
      `INSERT INTO raw.api_attempts (load_id, record, record_hash)
       SELECT 1, r, md5(r::text) FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e (r, o) ORDER BY o`,
      [JSON.stringify(RECORDS)],
    );
  } finally {
    await conn.close();
  }
  const build = await runElt(["model", "build"], { cwd: project });
  expect(build.code, build.stdout + build.stderr).toBe(0);
  const tests = await runElt(["test"], { cwd: project });
  expect(tests.code, tests.stdout + tests.stderr).toBe(0);

  url = await serveDocs(project);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu"],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(url, { waitUntil: "load" });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await db?.drop();
});

// Expressions evaluated in the page, as text: the project's TypeScript has no DOM types.
const hashIs = (hash: string) => `decodeURIComponent(location.hash) === ${JSON.stringify(hash)}`;

/** The page the hash names is the one shown: the hashchange handler runs after the hash changes. */
const shows = (id: string) =>
  `[...document.querySelectorAll("#pages .page")].filter((p) => !p.hasAttribute("hidden")).map((p) => p.id).join() === ${JSON.stringify(id)}`;

const visiblePage = () =>
  page.$eval("#pages", (pages) => {
    const shown = [...pages.querySelectorAll(".page")].filter((p) => !p.hasAttribute("hidden"));
    return shown.map((p) => p.id);
  });

describe("elt docs in a browser", () => {
  it("draws a node for every model, each inside the graph's view", async () => {
    const nodes = await page.$$eval("#graph .node.kind-model", (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { id: e.getAttribute("data-id"), w: r.width, h: r.height };
      }),
    );
    expect(nodes.map((n) => n.id).sort()).toEqual(plan.models.map((m) => `model:${m.name}`).sort());
    for (const n of nodes) expect(n.w * n.h, n.id).toBeGreaterThan(0);
    // Sources, tests and exports are in the lineage too.
    for (const kind of ["source", "tests", "export"]) {
      expect(await page.$$(`#graph .node.kind-${kind}`), kind).not.toHaveLength(0);
    }
    expect(await visiblePage()).toEqual(["overview"]);
  });

  it("opens a model's page when its node is clicked: description, columns, compiled SQL, last build", async () => {
    // The model with the most columns that has a description: a page with something to check.
    const model = plan.models
      .filter((m) => m.config.description && Object.keys(m.config.columns).length > 0)
      .sort((a, b) => Object.keys(b.config.columns).length - Object.keys(a.config.columns).length)[0];
    expect(model).toBeDefined();
    if (!model) return;
    const id = `model:${model.name}`;
    await page.click(`#graph .node[data-id="${id}"]`);
    await page.waitForFunction(hashIs(`#${id}`));
    await page.waitForFunction(shows(id), { timeout: 5_000 }).catch(() => {});
    expect(await visiblePage()).toEqual([id]);

    const text = await page.$eval(`[id="${id}"]`, (e) => (e.textContent ?? "").replace(/\s+/g, " "));
    const squash = (s: string) => s.replace(/`/g, "").replace(/\s+/g, " ").trim();
    expect(text).toContain(squash(model.config.description as string).slice(0, 60));
    const columns = await page.$$eval(`[id="${id}"] table.columns .column-name`, (els) =>
      els.map((e) => e.textContent),
    );
    expect(columns).toEqual(expect.arrayContaining(Object.keys(model.config.columns)));
    const sql = await page.$eval(`[id="${id}"] pre.sql code`, (e) => e.textContent);
    expect(sql).toBe(model.sql);

    const [run] = await queryRows<{ status: string; rows: string | null }>(
      db.url,
      "SELECT status, rows FROM elt.model_runs WHERE model = $1 ORDER BY finished_at DESC, id DESC LIMIT 1",
      [model.name],
    );
    expect(run?.status).toBe("success");
    const build = await page.$eval(`[id="${id}"] .last-build`, (e) => ({
      status: e.getAttribute("data-status"),
      text: e.textContent ?? "",
    }));
    expect(build.status).toBe("success");
    expect(build.text).toContain("success");
    if (run?.rows !== null && run?.rows !== undefined) expect(build.text).toContain(`${run.rows} rows`);
    // The node is coloured by that build, and highlighted as the one open.
    const cls = await page.$eval(`#graph .node[data-id="${id}"]`, (e) => e.getAttribute("class"));
    expect(cls).toContain("status-success");
    expect(cls).toContain("selected");
  });

  it("finds the model holding a column by the column's name", async () => {
    // A column only one model has, so the search has exactly one right answer.
    const holders = new Map<string, string[]>();
    for (const m of plan.models)
      for (const c of Object.keys(m.config.columns)) holders.set(c, [...(holders.get(c) ?? []), m.name]);
    const [column, [owner] = []] = [...holders].find(([, ms]) => ms.length === 1) ?? ["", []];
    expect(owner).toBeDefined();

    await page.goto(`${url}#overview`, { waitUntil: "load" });
    await page.type("#search", column);
    const hits = await page.$$eval("#results .hit", (els) =>
      els.map((e) => ({
        name: e.querySelector(".name")?.textContent,
        columns: [...e.querySelectorAll(".hit-column code")].map((c) => c.textContent),
      })),
    );
    expect(hits).toContainEqual({ name: owner, columns: expect.arrayContaining([column]) });
    // Its node stands out in the graph; the others are dimmed.
    expect(
      await page.$$eval("#graph .node.match", (els) => els.map((e) => e.getAttribute("data-id"))),
    ).toContain(`model:${owner}`);
    await page.keyboard.press("Enter");
    await page.waitForFunction(hashIs(`#model:${owner}`));
    await page.waitForFunction(shows(`model:${owner}`), { timeout: 5_000 }).catch(() => {});
    const shown = await visiblePage();
    // Enter opens the first hit: the column's model when no model's name matches the text.
    if (!plan.models.some((m) => m.name.includes(column))) expect(shown).toEqual([`model:${owner}`]);
  });

  it("shows the ledger's last build of every model in the overview: status and rows", async () => {
    const runs = await queryRows<{ model: string; status: string; rows: string | null }>(
      db.url,
      "SELECT DISTINCT ON (model) model, status, rows FROM elt.model_runs ORDER BY model, finished_at DESC, id DESC",
    );
    const last = new Map(runs.map((r) => [r.model, r]));
    await page.goto(`${url}#overview`, { waitUntil: "load" });
    const shown = await page.$$eval("table.overview tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(shown.map(([name, , status, rows]) => [name, status, rows?.replace(/,/g, "")])).toEqual(
      plan.models.map((m) => [m.name, last.get(m.name)?.status, last.get(m.name)?.rows ?? ""]),
    );
    expect(
      shown.some(([, , , rows]) => Number(rows) > 0),
      "some model holds rows",
    ).toBe(true);
  });

  it("pans on drag and zooms on the wheel", async () => {
    const transform = () => page.$eval("#viewport", (e) => e.getAttribute("transform") ?? "");
    const box = await page.$eval("#graph", (e) => {
      const r = e.getBoundingClientRect();
      return { x: r.left + 12, y: r.top + 12 };
    });
    const before = await transform();
    await page.mouse.move(box.x, box.y);
    await page.mouse.down();
    await page.mouse.move(box.x + 80, box.y + 40, { steps: 4 });
    await page.mouse.up();
    const panned = await transform();
    expect(panned).not.toBe(before);
    await page.mouse.wheel({ deltaY: -300 });
    await page.waitForFunction(
      `document.getElementById("viewport").getAttribute("transform") !== ${JSON.stringify(panned)}`,
    );
    const scale = (t: string) => Number(/scale\(([\d.]+)\)/.exec(t)?.[1]);
    expect(scale(await transform())).toBeGreaterThan(scale(panned));
  });

  it("serves only the site's folder, on 127.0.0.1", async () => {
    expect((await fetch(`${url}manifest.json`)).status).toBe(200);
    expect((await fetch(`${url}..%2Fproject.yml`)).status).toBe(404);
    expect((await fetch(`${url}index.html`, { method: "POST" })).status).toBe(405);
    expect(readFileSync(join(project, "target/docs/index.html"), "utf8")).not.toMatch(/<script src=|<link /);
  });
});
