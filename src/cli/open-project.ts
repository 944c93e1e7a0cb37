import { isAbsolute, resolve } from "node:path";
import { loadProject } from "../config/load-project.ts";
import type { ProjectConfig } from "../config/project-schema.ts";
import { ConfigError, type EltError, isEltError } from "../errors.ts";
import { commandLine, configureLogging, LOG_DIR_UNUSABLE, type LogLevelName, log } from "../log/logger.ts";
import { pruneLogs } from "../log/prune-logs.ts";
import { DEMO_NO_API, demoConfig } from "../pipeline/demo-config.ts";
import type { CommonArgs } from "./common-args.ts";

export interface ProjectContext {
  projectDir: string;
  config: ProjectConfig;
  /** Resolves a config path against the project folder. */
  path(p: string): string;
}

const LEVELS = ["silent", "error", "warn", "info", "debug", "trace"] as const;

/** Adjusts the loaded config before anything uses it (the demo points it at local endpoints). */
export type ConfigureProject = (config: ProjectConfig, projectDir: string) => ProjectConfig;

/**
 * Loads project.yml, sets up the dated log file and prunes old logs. No database. A log folder
 * that cannot be written is a configuration error (exit 2) naming the folder and the reason.
 */
export function openProject(args: CommonArgs, configure?: ConfigureProject): ProjectContext {
  const { project, logDirError } = openProjectForRun(args, configure);
  if (logDirError) throw logDirError;
  return project;
}

/**
 * openProject for `elt run`, which still records and reports a run it refuses: a log folder that
 * cannot be written comes back as `logDirError` (logging stays on the console) instead of thrown.
 */
export function openProjectForRun(
  args: CommonArgs,
  configure?: ConfigureProject,
): { project: ProjectContext; logDirError?: EltError } {
  const loaded = loadProject(args["project-dir"] ?? ".");
  const dir = loaded.dir;
  // --demo without a configuration of the command's own (run and extract start the simulator):
  // the demo's database and exports; nothing here fetches, so the API address goes nowhere.
  const adjust = configure ?? (args.demo ? (c: ProjectConfig) => demoConfig(c, DEMO_NO_API) : undefined);
  const config = adjust ? adjust(loaded.config, dir) : loaded.config;
  const level = args["log-level"] ?? config.logs.level;
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`--log-level: expected one of ${LEVELS.join(", ")}`, { code: "USAGE" });
  }
  const path = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const project: ProjectContext = { projectDir: dir, config, path };
  const logDir = path(config.logs.dir);
  let logDirError: EltError | undefined;
  try {
    configureLogging({ dir: logDir, level: level as LogLevelName });
  } catch (error) {
    if (!isEltError(error) || error.code !== LOG_DIR_UNUSABLE) throw error;
    logDirError = error;
  }
  // The script's first line, as in the task's log: what was started, by whom.
  if (commandLine.text) log.info(`${commandLine.text}: started (pid ${process.pid})`);
  if (logDirError) return { project, logDirError };
  for (const name of pruneLogs(logDir, config.logs.retention_days)) log.info(`old log deleted: ${name}`);
  return { project };
}
