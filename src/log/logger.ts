import { appendFileSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatWithOptions, stripVTControlCharacters } from "node:util";
import { type ConsolaReporter, createConsola, type LogObject, type LogType } from "consola";
import { ConfigError, EltError } from "../errors.ts";
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
  // No colour codes in the file, whoever put them in the message (citty colours its errors).
  const text = formatWithOptions({ colors: false, depth: 4 }, ...(obj.args as unknown[]));
  return maskSecrets(stripVTControlCharacters(text));
}

/** One file line: `2026-11-24 12:53:15.595 INFO  message`; continuation lines are indented. */
export function formatFileLine(obj: LogObject): string {
  const level = (FILE_LEVEL[obj.type] ?? "INFO").padEnd(5);
  const message = messageOf(obj).replace(/\n/g, "\n    ");
  return `${localTimestamp(obj.date)} ${level} ${message}\n`;
}

/** The log folder stopped taking lines: which folder, from when, and the OS's reason. */
export interface LogWriteFailure {
  dir: string;
  since: Date;
  reason: string;
}

/** `ENOTDIR: not a directory, open '/x/y.log'` → `ENOTDIR: not a directory` (the folder is named anyway). */
function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z][A-Z0-9_]*: [^,]+/.exec(message)?.[0] ?? message;
}

/** The nearest existing part of `path` that is not a folder (a file where a folder should be). */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? undefined : p;
    } catch {
      if (dirname(p) === p) return undefined; // nothing exists up to the root: not a file's fault
    }
  }
}

/**
 * Appends text to `<dir>/<local date>.log` (the name is taken per call, so a run past midnight rolls
 * over). A failed write never throws: consola calls reporters synchronously from whatever line is
 * being logged, and no log line may break the work. The first failure stops the writing for good
 * and is handed to `onFailure` once.
 */
function fileSink(dir: string, onFailure: (failure: LogWriteFailure) => void) {
  let failed = false;
  return (date: Date, text: string): void => {
    if (failed) return;
    try {
      appendFileSync(join(dir, `${localDate(date)}.log`), text);
    } catch (error) {
      failed = true;
      onFailure({ dir, since: date, reason: osReason(error) });
    }
  };
}

/** The code of the ConfigError prepareLogDir throws. */
export const LOG_DIR_UNUSABLE = "LOG_DIR";

/**
 * Creates the log folder and opens today's file for appending, once at startup: a folder that
 * cannot be written fails the command up front (exit 2) rather than on some line in the middle.
 * Root passes permission checks, but not a file standing where a folder should be.
 */
export function prepareLogDir(dir: string, now: Date = new Date()): void {
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, `${localDate(now)}.log`), "a"));
  } catch (error) {
    const file = fileInTheWay(dir);
    throw new ConfigError(
      `logs.dir: cannot write log files to ${dir}: ${osReason(error)}${file ? ` (${file} is a file, not a folder)` : ""}`,
      {
        code: LOG_DIR_UNUSABLE,
        hint: `${file ? `move ${file} out of the way` : "make the folder writable for this user"}, or point ELT_LOG_DIR (logs.dir in project.yml) at a folder elt can write`,
        cause: error,
      },
    );
  }
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

// The log file of the current configuration: how to append to it, and its first failed write.
let appendToFile: ((date: Date, text: string) => void) | undefined;
let writeFailure: LogWriteFailure | undefined;

/**
 * (Re)configures the process logger: console + dated file. A log folder that cannot be written
 * throws a ConfigError (code LOG_DIR) naming it and the reason, with the console already set up.
 * A folder that stops taking lines later (removed, replaced by a file, a full disk) never throws:
 * one console warning, the lines go to the console only, and logWriteError() reports it.
 */
export function configureLogging(options: LoggingOptions): void {
  const reporters: ConsolaReporter[] = [];
  if (options.console !== false) reporters.push(maskedConsole);
  appendToFile = undefined;
  writeFailure = undefined;
  log.setReporters(reporters);
  log.level = LEVELS[options.level ?? "info"];
  if (!options.dir) return;
  prepareLogDir(options.dir);
  const append = fileSink(options.dir, (failure) => {
    writeFailure = failure;
    // Re-entering consola from a reporter is safe here: this sink no longer writes.
    log.warn(
      `log file: cannot write to ${failure.dir}: ${failure.reason}; from now on log lines go to the console only, and the command will end as failed`,
    );
  });
  appendToFile = append;
  reporters.push({ log: (obj) => append(obj.date, formatFileLine(obj)) });
  log.setReporters(reporters);
}

/**
 * Appends nothing to today's log file: finds a folder that broke since the last line was written
 * (removed, replaced by a file), without waiting for the next line to hit it.
 */
export function probeLogFile(now: Date = new Date()): void {
  appendToFile?.(now, "");
}

/** Whether log lines currently go to a dated file (configureLogging was given a usable folder). */
export function logFileConfigured(): boolean {
  return appendToFile !== undefined;
}

/** The first failed write to the log folder since logging was configured, if any. */
export function logWriteFailure(): LogWriteFailure | undefined {
  return writeFailure;
}

/** The log folder's failure as an error (exit 1): the command's work may be fine, its log is not. */
export function logWriteError(): EltError | undefined {
  const f = writeFailure;
  if (!f) return undefined;
  return new EltError(`could not write to ${f.dir} from ${localTimestamp(f.since)}: ${f.reason}`, {
    code: "LOG_WRITE_FAILED",
    exitCode: 1,
    hint: `the lines from then on are only in the console output (journal, cron mail); make ${f.dir} writable again, or point ELT_LOG_DIR (logs.dir) elsewhere`,
  });
}
