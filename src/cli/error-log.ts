import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { loadProject, PROJECT_FILE } from "../config/load-project.ts";
import { commandLine, configureLogging, type LogLevelName, log } from "../log/logger.ts";

const LEVELS = ["silent", "error", "warn", "info", "debug", "trace"];

/** The value of `--name X` or `--name=X` in the raw arguments. */
function flag(rawArgs: string[], name: string): string | undefined {
  for (const [i, arg] of rawArgs.entries()) {
    if (arg === "--") break;
    if (arg === `--${name}`) return rawArgs[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

const isFolder = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** ELT_LOG_DIR from the environment, else from `.env` beside project.yml (as project.yml reads it). */
function envLogDir(projectDir: string): string | undefined {
  if (process.env.ELT_LOG_DIR) return process.env.ELT_LOG_DIR;
  try {
    return parseEnv(readFileSync(join(projectDir, ".env"), "utf8")).ELT_LOG_DIR || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where an error goes when the command failed before setting up its log file: the project's
 * logs.dir when project.yml loads; otherwise the default folder, ELT_LOG_DIR (set by the user) or
 * `logs/` in the project folder, the latter created only beside a project.yml (a project whose
 * configuration is broken), never in a folder that merely happened to be the current one.
 */
export function errorLogDir(projectDir: string): string | undefined {
  try {
    const { dir, config } = loadProject(projectDir);
    return isAbsolute(config.logs.dir) ? config.logs.dir : resolve(dir, config.logs.dir);
  } catch {
    // The configuration is what failed: fall back to the default folder.
  }
  const dir = resolve(projectDir);
  const fromEnv = envLogDir(dir);
  if (fromEnv) return resolve(dir, fromEnv);
  const logs = join(dir, "logs");
  return isFolder(logs) || existsSync(join(dir, PROJECT_FILE)) ? logs : undefined;
}

/**
 * Sends log lines to the dated file too, for an error that ends the command before the project set
 * up logging (a usage mistake, a project.yml that does not load), after the command line (in the
 * file only), as every command's log begins. A folder that cannot be written leaves the console only: the error is
 * on stderr either way.
 */
export function openErrorLog(rawArgs: string[]): void {
  const dir = errorLogDir(flag(rawArgs, "project-dir") ?? ".");
  if (!dir) return;
  const given = flag(rawArgs, "log-level");
  const level = LEVELS.includes(given ?? "") ? (given as LogLevelName) : "info";
  try {
    // The command line goes to the file only: on the console it would read as if something started.
    configureLogging({ dir, level, console: false });
    if (commandLine.text) log.info(`${commandLine.text}: started (pid ${process.pid})`);
    configureLogging({ dir, level });
  } catch {
    configureLogging({ level });
  }
}
