// A log folder that cannot be written: refused up front (exit 2, the folder and the OS reason named),
// or, when it breaks mid-command, never thrown into the work: one warning, then the failure is
// remembered for the end. Tests run as root, so only a file standing where a folder should be makes
// a folder unwritable here.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogObject } from "consola";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { configureLogging, log, logWriteError, logWriteFailure, probeLogFile } from "../../src/log/logger.ts";
import { stage } from "../../src/log/stage.ts";
import { localDate } from "../../src/log/timestamp.ts";
import { runElt } from "../helpers/cli.ts";
import { tempProject } from "../helpers/project.ts";

const base = () => mkdtempSync(join(tmpdir(), "elt-log-folder-"));
const today = () => `${localDate()}.log`;

/** Swaps a folder for a regular file of the same name (what a careless cleanup script does). */
function replaceWithFile(dir: string): void {
  renameSync(dir, `${dir}.moved`);
  writeFileSync(dir, "not a folder\n");
}

/** Every record the logger hands its reporters from now on. */
function spy(): LogObject[] {
  const seen: LogObject[] = [];
  log.addReporter({ log: (obj) => seen.push(obj) });
  return seen;
}

afterEach(() => {
  configureLogging({ console: false });
});

describe("a log folder that cannot be written at startup", () => {
  it("a regular file where the folder should be: a ConfigError naming the folder and the reason", () => {
    const dir = join(base(), "logs");
    writeFileSync(dir, "");
    let error: unknown;
    try {
      configureLogging({ dir, console: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "LOG_DIR", exitCode: 2 });
    expect((error as Error).message).toBe(
      `logs.dir: cannot write log files to ${dir}: EEXIST: file already exists (${dir} is a file, not a folder)`,
    );
    expect((error as ConfigError).hint).toMatch(/ELT_LOG_DIR/);
    // The console stays usable, and the file reporter is not half-installed.
    expect(() => log.info("still fine")).not.toThrow();
    expect(logWriteFailure()).toBeUndefined();
  });

  it("a folder under a regular file: ENOTDIR, and the file in the way is named", () => {
    const root = base();
    writeFileSync(join(root, "notes.txt"), "");
    const dir = join(root, "notes.txt", "logs");
    expect(() => configureLogging({ dir, console: false })).toThrow(
      `logs.dir: cannot write log files to ${dir}: ENOTDIR: not a directory (${join(root, "notes.txt")} is a file, not a folder)`,
    );
  });

  it("today's file itself cannot be opened (a folder in its place)", () => {
    const dir = base();
    mkdirSync(join(dir, today()));
    expect(() => configureLogging({ dir, console: false })).toThrow(
      new RegExp(`^logs\\.dir: cannot write log files to ${dir}: EISDIR`),
    );
  });
});

describe("a log folder that breaks mid-command", () => {
  it("stops writing, warns once, never throws into the caller, and remembers when and why", async () => {
    const dir = join(base(), "logs");
    configureLogging({ dir, console: false });
    const seen = spy();
    log.info("before");
    replaceWithFile(dir);
    // The first line to hit the broken folder is a stage's own line, deep inside the work.
    const { value } = await stage("download", async () => {
      log.info("working");
      return 42;
    });
    expect(value).toBe(42);
    for (let i = 0; i < 20; i++) log.error(`line ${i}`);
    expect(() => log.warn("and more")).not.toThrow();

    const warnings = seen.filter((o) => o.type === "warn" && String(o.args[0]).startsWith("log file:"));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.args[0])).toBe(
      `log file: cannot write to ${dir}: ENOTDIR: not a directory; from now on log lines go to the console only, and the command will end as failed`,
    );
    const failure = logWriteFailure();
    expect(failure).toMatchObject({ dir, reason: "ENOTDIR: not a directory" });
    const error = logWriteError();
    expect(error).toMatchObject({ code: "LOG_WRITE_FAILED", exitCode: 1 });
    expect(error?.message).toMatch(
      new RegExp(
        `^could not write to ${dir} from \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}: ENOTDIR: not a directory$`,
      ),
    );
    expect(readFileSync(join(`${dir}.moved`, today()), "utf8")).toMatch(/INFO {2}before\n$/);
  });

  it("stops for good: a folder that comes back gets no later lines (the gap would be silent)", () => {
    const dir = join(base(), "logs");
    configureLogging({ dir, console: false });
    replaceWithFile(dir);
    log.info("lost to the file");
    expect(logWriteFailure()).toBeDefined();
    // Put a folder back: still nothing is written, so the log never looks complete when it is not.
    renameSync(dir, `${dir}.file`);
    mkdirSync(dir);
    log.info("after the folder came back");
    expect(() => readFileSync(join(dir, today()), "utf8")).toThrow(/ENOENT/);
  });

  it("probeLogFile finds a broken folder without waiting for the next line", () => {
    const dir = join(base(), "logs");
    configureLogging({ dir, console: false });
    replaceWithFile(dir);
    expect(logWriteFailure()).toBeUndefined();
    probeLogFile();
    expect(logWriteFailure()?.dir).toBe(dir);
  });

  it("configuring logging again starts with a clean slate", () => {
    const dir = join(base(), "logs");
    configureLogging({ dir, console: false });
    replaceWithFile(dir);
    log.info("x");
    expect(logWriteError()).toBeDefined();
    const other = base();
    configureLogging({ dir: other, console: false });
    expect(logWriteError()).toBeUndefined();
    log.info("written");
    expect(readFileSync(join(other, today()), "utf8")).toMatch(/written/);
  });
});

describe("the real binary with a log folder it cannot write", () => {
  // The database is unreachable on purpose: the log folder must be refused before it is tried.
  const yml = `database:\n  url: "postgres://u:Pw-n0t-printed@127.0.0.1:1/x"\nlogs:\n  dir: "\${ELT_LOG_DIR:-logs}"\n`;
  const noStack = (stderr: string) => {
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/unexpected error/);
  };

  it("elt status: exit 2, the folder and the reason on stderr, no stack", async () => {
    const dir = tempProject({ "project.yml": yml, logs: "a file, not the folder\n" });
    const result = await runElt(["status", "--project-dir", dir]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `logs.dir: cannot write log files to ${join(dir, "logs")}: EEXIST: file already exists (${join(dir, "logs")} is a file, not a folder)`,
    );
    expect(result.stderr).toMatch(/hint: .*ELT_LOG_DIR/);
    noStack(result.stderr);
    expect(readFileSync(join(dir, "logs"), "utf8")).toBe("a file, not the folder\n");
  });

  it("elt model list (no database) and ELT_LOG_DIR under a file: exit 2, the folder named", async () => {
    const dir = tempProject({ "project.yml": yml, "notes.txt": "" });
    const logDir = join(dir, "notes.txt", "logs");
    const result = await runElt(["model", "list", "--project-dir", dir], { env: { ELT_LOG_DIR: logDir } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `logs.dir: cannot write log files to ${logDir}: ENOTDIR: not a directory`,
    );
    noStack(result.stderr);
  });
});
