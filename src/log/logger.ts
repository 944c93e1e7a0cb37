import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { formatWithOptions } from "node:util";
import { type ConsolaReporter, createConsola, type LogObject, type LogType } from "consola";
import { maskSecrets } from "./mask.ts";
import { localDate, localTimestamp } from "./timestamp.ts";

export type LogLevelName = "silent" | "error" | "warn" | "info" | "debug" | "trace";

const LEVELS: Record<LogLevelName, number> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

const FILE_LEVEL: Partial<Record<LogType, string>> = {
  fatal: "ERROR",
  error: "ERROR",
  fail: "ERROR",
  warn: "WARN",
  debug: "DEBUG",
  trace: "TRACE",
  verbose: "TRACE",
};

function messageOf(obj: LogObject): string {
  const text = formatWithOptions({ colors: false, depth: 4 }, ...(obj.args as unknown[]));
  return maskSecrets(text);
}

/** One file line: `2026-11-24 12:53:15.595 INFO  message`; continuation lines are indented. */
export function formatFileLine(obj: LogObject): string {
  const level = (FILE_LEVEL[obj.type] ?? "INFO").padEnd(5);
  const message = messageOf(obj).replace(/\n/g, "\n    ");
  return `${localTimestamp(obj.date)} ${level} ${message}\n`;
}

/** Appends each record to `<dir>/<local date>.log`; the name is taken per line, so a run past midnight rolls over. */
export function fileReporter(dir: string): ConsolaReporter {
  mkdirSync(dir, { recursive: true });
  return {
    log(obj) {
      appendFileSync(join(dir, `${localDate(obj.date)}.log`), formatFileLine(obj));
    },
  };
}

// People read the console on stderr; stdout stays free for data (`--json`, compiled SQL).
const base = createConsola({ stdout: process.stderr, stderr: process.stderr });
const consoleReporters = [...base.options.reporters];

/** The console reporter, masking secrets before consola formats the arguments. */
const maskedConsole: ConsolaReporter = {
  log(obj, ctx) {
    const args = (obj.args as unknown[]).map((a) =>
      typeof a === "string" ? maskSecrets(a) : a instanceof Error ? maskError(a) : a,
    );
    for (const r of consoleReporters) r.log({ ...obj, args }, ctx);
  },
};

function maskError(error: Error): Error {
  const copy = new Error(maskSecrets(error.message));
  copy.name = error.name;
  copy.stack = error.stack ? maskSecrets(error.stack) : undefined;
  return copy;
}

export const log = createConsola({
  level: LEVELS.info,
  stdout: process.stderr,
  stderr: process.stderr,
  reporters: [maskedConsole],
});

export interface LoggingOptions {
  /** Absolute folder for dated log files; omit for console only. */
  dir?: string;
  level?: LogLevelName;
  /** Console output (tests and `--quiet` turn it off); the file is always written. */
  console?: boolean;
}

/** The command being run, for the first line a command writes to its log file (set by the CLI). */
export const commandLine: { text?: string } = {};

/** (Re)configures the process logger: console + dated file. */
export function configureLogging(options: LoggingOptions): void {
  const reporters: ConsolaReporter[] = [];
  if (options.console !== false) reporters.push(maskedConsole);
  if (options.dir) reporters.push(fileReporter(options.dir));
  log.setReporters(reporters);
  log.level = LEVELS[options.level ?? "info"];
}
