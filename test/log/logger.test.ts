import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configureLogging, log } from "../../src/log/logger.ts";
import { clearSecrets, maskSecrets, registerSecret } from "../../src/log/mask.ts";
import { pruneLogs } from "../../src/log/prune-logs.ts";
import { stage } from "../../src/log/stage.ts";
import { localDate } from "../../src/log/timestamp.ts";

const LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (INFO |WARN |ERROR|DEBUG|TRACE) .+$/;

function logDir(): string {
  return mkdtempSync(join(tmpdir(), "elt-logs-"));
}

afterEach(() => {
  clearSecrets();
  configureLogging({ console: false });
});

describe("dated log file", () => {
  it("is named by the local date and each line has a millisecond timestamp and the level", async () => {
    const dir = logDir();
    configureLogging({ dir, level: "debug", console: false });
    log.info("migrations applied: %d", 3);
    log.warn("a warning");
    log.error(new Error("boom"));
    log.debug("details");
    await stage(
      "download",
      async () => 42,
      (n) => `records ${n}`,
    );
    const files = readdirSync(dir);
    expect(files).toEqual([`${localDate()}.log`]);
    const lines = readFileSync(join(dir, files[0] as string), "utf8")
      .trimEnd()
      .split("\n");
    const firstLines = lines.filter((l) => !l.startsWith("    "));
    for (const line of firstLines) expect(line).toMatch(LINE);
    expect(firstLines[0]).toMatch(/ INFO {2}migrations applied: 3$/);
    expect(firstLines[1]).toMatch(/ WARN {2}a warning$/);
    expect(firstLines[2]).toMatch(/ ERROR Error: boom$/);
    expect(firstLines[3]).toMatch(/ DEBUG details$/);
    expect(firstLines[4]).toMatch(/ INFO {2}download: started$/);
    expect(firstLines[5]).toMatch(/ INFO {2}download: done records 42 \(\d+ ms\)$/);
  });

  it("appends across configurations (every command adds to the day's file)", () => {
    const dir = logDir();
    configureLogging({ dir, console: false });
    log.info("first command");
    configureLogging({ dir, console: false });
    log.info("second command");
    const text = readFileSync(join(dir, `${localDate()}.log`), "utf8");
    expect(text).toMatch(/first command\n.*second command\n$/);
  });

  it("respects the level", () => {
    const dir = logDir();
    configureLogging({ dir, level: "warn", console: false });
    log.info("hidden");
    log.warn("shown");
    const text = readFileSync(join(dir, `${localDate()}.log`), "utf8");
    expect(text).not.toContain("hidden");
    expect(text).toMatch(/ WARN {2}shown\n$/);
  });

  it("a failing stage logs ERROR with its cause and duration, and rethrows", async () => {
    const dir = logDir();
    configureLogging({ dir, console: false });
    await expect(stage("landing", async () => Promise.reject(new Error("disk full")))).rejects.toThrow(
      "disk full",
    );
    expect(readFileSync(join(dir, `${localDate()}.log`), "utf8")).toMatch(
      /ERROR landing: failed after \d+ ms: disk full/,
    );
  });
});

describe("secrets", () => {
  it("are masked in every file line: registered values, URL passwords, private keys, client_key params", () => {
    const dir = logDir();
    configureLogging({ dir, console: false });
    registerSecret("M2MGWS-client-key");
    log.info("calling with key M2MGWS-client-key");
    log.error(new Error("connect postgres://grade:hunter2pw@db:5432/grade failed"));
    log.warn("GET /api/statistics?client=x&client_key=abcdef1234&start=1");
    log.info("-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----");
    log.info({ url: "smtps://me:mailpass@smtp:465" });
    const text = readFileSync(join(dir, `${localDate()}.log`), "utf8");
    for (const secret of ["M2MGWS-client-key", "hunter2pw", "abcdef1234", "MIIEv", "mailpass"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("postgres://grade:***@db:5432/grade");
  });

  it("masks a URL password holding an unencoded / or @ whole, and each of two URLs on a line", () => {
    expect(maskSecrets("connecting to SMTP server smtps://robot:Ab3/xYz9+q@smtp.mail.ru:465")).toBe(
      "connecting to SMTP server smtps://robot:***@smtp.mail.ru:465",
    );
    expect(maskSecrets("db postgres://u:p@ss/w@db:5432/grade failed")).toBe(
      "db postgres://u:***@db:5432/grade failed",
    );
    expect(maskSecrets("a postgres://u:pw1x@h/db and smtps://m:pw2y@s:465 done")).toBe(
      "a postgres://u:***@h/db and smtps://m:***@s:465 done",
    );
    expect(maskSecrets("postgres://u:pw1x@h/db,smtps://m:pw2y@s:465")).toBe(
      "postgres://u:***@h/db,smtps://m:***@s:465",
    );
    // A URL without a password and an e-mail address later on the line stay as they are.
    expect(maskSecrets("GET https://host:443/x sent to a@b.org")).toBe(
      "GET https://host:443/x sent to a@b.org",
    );
  });

  it("masks encoded forms of a registered secret", () => {
    registerSecret("p@ss/w'rd");
    expect(maskSecrets("a=p%40ss%2Fw'rd b=p@ss/w'rd")).toBe("a=*** b=***");
  });
});

describe("retention", () => {
  it("deletes only the tool's own dated logs older than the window (today and two days before)", () => {
    const dir = logDir();
    const today = new Date(2026, 10, 24, 12, 0, 0);
    const names: string[] = [];
    for (let age = 0; age <= 6; age++) {
      const name = `${localDate(new Date(2026, 10, 24 - age))}.log`;
      names.push(name);
      writeFileSync(join(dir, name), "x");
    }
    const unrelated = ["notes.txt", "log20250818.log", "2026-11-01.log.gz", "2026-11-01.txt", "README"];
    for (const name of unrelated) writeFileSync(join(dir, name), "keep");
    mkdirSync(join(dir, "2026-11-01.log")); // a folder with a log's name is not a log file
    const deleted = pruneLogs(dir, 3, today);
    expect(deleted.sort()).toEqual(["2026-11-18.log", "2026-11-19.log", "2026-11-20.log", "2026-11-21.log"]);
    const left = readdirSync(dir).sort();
    expect(left).toEqual(
      ["2026-11-22.log", "2026-11-23.log", "2026-11-24.log", "2026-11-01.log", ...unrelated].sort(),
    );
  });

  it("tolerates a missing folder", () => {
    expect(pruneLogs(join(tmpdir(), "elt-no-such-dir-xyz"), 3)).toEqual([]);
    expect(existsSync(join(tmpdir(), "elt-no-such-dir-xyz"))).toBe(false);
  });
});
