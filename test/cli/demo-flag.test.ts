// Analysts work on the demo's data (issue 11): after `elt run --demo`, every command that reads the
// database takes --demo, and a plain command on the empty project database says where the data is.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stopEmbeddedServer } from "../../src/db/embedded-server.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { DEMO_PATHS } from "../../src/pipeline/demo-config.ts";
import { runElt } from "../helpers/cli.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";

let dir: string;
const env = { DATABASE_URL: "" };
const elt = (...args: string[]) => runElt([...args, "--project-dir", dir], { env, timeoutMs: 120_000 });

beforeAll(async () => {
  dir = tempProject({
    "project.yml": `
database: {url: "\${DATABASE_URL:-}"}
${SHIPPED_MODELS_YAML}
exports:
${SHIPPED_EXPORTS_LINES}
  email: {templates_dir: ${join(PACKAGE_ROOT, "templates")}}
`,
  });
  const demo = await elt("run", "--demo");
  expect(demo.code, demo.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await stopEmbeddedServer(join(dir, DEMO_PATHS.database));
  await stopEmbeddedServer(join(dir, ".elt/pgdata"));
});

it("every command that reads the database works on the demo's data with --demo", async () => {
  const status = await elt("status", "--demo");
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/^1\s+\S+ \S+\s+success/m);

  const list = await elt("model", "list", "--demo");
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toMatch(/lms_grade_statistics\s+incremental\s+grade\.lms_grade_statistics/);

  const compile = await elt("model", "compile", "--demo", "--select", "daily_stats");
  expect(compile.code, compile.stderr).toBe(0);

  // An analyst's loop: rebuild a model on the demo's data, then its tests.
  const build = await elt("model", "build", "--demo", "--select", "daily_stats", "--full-refresh");
  expect(build.code, build.stderr).toBe(0);
  expect(build.stderr).toMatch(/daily_stats.*full/);
  expect(build.stderr).not.toMatch(/hint: this project's embedded database/);

  const test = await elt("test", "--demo", "--select", "lms_grade_statistics");
  expect(test.code, test.stderr).toBe(0);

  const exported = await elt("export", "email", "--demo");
  expect(exported.code, exported.stderr).toBe(0);
  expect(readFileSync(join(dir, DEMO_PATHS.email), "utf8")).toMatch(/^Subject: /m);
}, 180_000);

it("a plain command on the empty project database points at the demo's", async () => {
  const build = await elt("model", "build", "--select", "stg_attempts");
  expect(build.code, build.stderr).toBe(0);
  expect(build.stderr).toMatch(
    /hint: this project's embedded database \(.*\.elt\/pgdata\) holds no records yet, while the demo's does \(.*\.elt\/demo\/pgdata\): add --demo/,
  );
  expect(existsSync(join(dir, ".elt/pgdata/PG_VERSION"))).toBe(true);
}, 120_000);
