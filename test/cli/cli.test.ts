import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { runElt } from "../helpers/cli.ts";
import { tempProject } from "../helpers/project.ts";

describe("elt CLI", () => {
  it("--help lists every command", async () => {
    const { code, stdout } = await runElt(["--help"]);
    expect(code).toBe(0);
    for (const cmd of ["run", "extract", "model", "test", "export", "migrate", "seed", "status", "dev"]) {
      expect(stdout).toMatch(new RegExp(`\\b${cmd}\\b`));
    }
    const model = await runElt(["model", "--help"]);
    for (const sub of ["build", "compile", "list"]) expect(model.stdout).toContain(sub);
  });

  it("exits 2 on an unknown command and on a config error naming file and key", async () => {
    // A folder of its own: errors go to the dated log file of the project in the current folder.
    const cwd = tempProject({});
    expect((await runElt(["frobnicate"], { cwd })).code).toBe(2);
    const typo = await runElt(["migrate", "--dry-rn"], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option: --dry-rn");
    const dir = tempProject({ "project.yml": "logs:\n  retention_days: -1\n" });
    const bad = await runElt(["migrate", "--project-dir", dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("project.yml: logs.retention_days:");
    const missing = await runElt(["migrate", "--project-dir", join(dir, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("project.yml not found");
  });

  it("--log-level is validated; errors reach the dated log file with secrets masked", async () => {
    const dir = tempProject({
      "project.yml":
        "database:\n  url: postgres://elt:s3cretPw@127.0.0.1:1/none\napi:\n  client_key: KEY-abcdef-123\n",
    });
    expect((await runElt(["migrate", "--project-dir", dir, "--log-level", "loud"])).code).toBe(2);
    const result = await runElt(["migrate", "--project-dir", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot connect to postgres:\/\/127\.0\.0\.1:1\/none/);
    const logText = readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");
    expect(logText).toMatch(/ERROR cannot connect/);
    for (const text of [result.stderr, result.stdout, logText]) {
      expect(text).not.toContain("s3cretPw");
      expect(text).not.toContain("KEY-abcdef-123");
    }
  });
});
