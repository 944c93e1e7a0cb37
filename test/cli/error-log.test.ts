// Config and usage errors reach the dated log file too, not only stderr (cron users read the file):
// also when project.yml cannot be loaded, through the default folder (ELT_LOG_DIR, or logs/ beside
// a project.yml). The real binary on throwaway project folders; no database is opened.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { runElt } from "../helpers/cli.ts";
import { tempProject } from "../helpers/project.ts";

// Nothing listens on port 1: a command that got as far as the database would fail there instead.
const NO_DB = "database:\n  url: postgres://elt@127.0.0.1:1/none\n";

const logOf = (dir: string) => {
  const file = join(dir, `${localDate()}.log`);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
};

describe("errors before the project's logging is set up go to the dated log file", () => {
  it("a project.yml that does not load: logs/ beside it, with the command line first", async () => {
    const dir = tempProject({ "project.yml": "logs:\n  retention_days: -1\n" });
    const r = await runElt(["migrate", "--project-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("project.yml: logs.retention_days:");
    const text = logOf(join(dir, "logs"));
    expect(text).toMatch(
      /INFO {2}elt migrate --project-dir \S+: started \(pid \d+\)\n.*ERROR project\.yml: logs\.retention_days:/,
    );
    // The command line is for the file; on the console it would read as if something had started.
    expect(r.stderr).not.toContain("started");
  });

  it("usage mistakes (unknown option, unknown command, a bad --date, --log-level) go to logs.dir", async () => {
    const dir = tempProject({ "project.yml": `${NO_DB}logs:\n  dir: joblogs\n` });
    const cases: [string[], RegExp][] = [
      [["migrate", "--dry-rn"], /ERROR unknown option: --dry-rn/],
      [["extract", "--date", "2026-13-01"], /ERROR --date: expected YYYY-MM-DD.* got "2026-13-01"/],
      [["model", "frobnicate"], /ERROR Unknown command frobnicate/],
      [["model", "list", "--log-level", "loud"], /ERROR --log-level: expected one of/],
    ];
    for (const [args, line] of cases) {
      const r = await runElt(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(logOf(join(dir, "joblogs")), args.join(" ")).toMatch(line);
    }
    // Through --project-dir as well as the current folder.
    const other = mkdtempSync(join(tmpdir(), "elt-elsewhere-"));
    const r = await runElt(["status", "--limt", "3", "--project-dir", dir], { cwd: other });
    expect(r.code).toBe(2);
    expect(logOf(join(dir, "joblogs"))).toMatch(
      /elt status --limt 3 --project-dir \S+: started[^\n]*\n[^\n]*ERROR unknown option: --limt/,
    );
    expect(existsSync(join(other, "logs"))).toBe(false);
    expect(existsSync(join(dir, "logs"))).toBe(false);
  });

  it("no project.yml: ELT_LOG_DIR when set (also from .env), else nothing is created", async () => {
    const logs = join(mkdtempSync(join(tmpdir(), "elt-envlogs-")), "nightly");
    const empty = mkdtempSync(join(tmpdir(), "elt-noproject-"));
    const r = await runElt(["migrate", "--project-dir", empty], { env: { ELT_LOG_DIR: logs } });
    expect(r.code).toBe(2);
    expect(logOf(logs)).toMatch(/ERROR project\.yml not found in /);

    const withEnv = tempProject({ ".env": "ELT_LOG_DIR=from-dotenv\n" });
    expect((await runElt(["migrate"], { cwd: withEnv })).code).toBe(2);
    expect(logOf(join(withEnv, "from-dotenv"))).toMatch(/ERROR project\.yml not found/);

    // A folder that merely happened to be the current one gets no logs/ of its own.
    const stray = mkdtempSync(join(tmpdir(), "elt-stray-"));
    expect((await runElt(["migrate"], { cwd: stray })).code).toBe(2);
    expect(existsSync(join(stray, "logs"))).toBe(false);
  });
});
