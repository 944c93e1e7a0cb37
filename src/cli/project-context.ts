import { isAbsolute, resolve } from "node:path";
import { loadProject } from "../config/load-project.ts";
import type { ProjectConfig } from "../config/project-schema.ts";
import type { Database } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/open-database.ts";
import { acquireProjectLock, type ProjectLock } from "../db/project-lock.ts";
import { ConfigError, type EltError, isEltError } from "../errors.ts";
import { commandLine, configureLogging, LOG_DIR_UNUSABLE, type LogLevelName, log } from "../log/logger.ts";
import { pruneLogs } from "../log/prune-logs.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { CommonArgs } from "./common-args.ts";

export interface ProjectContext {
  projectDir: string;
  config: ProjectConfig;
  /** Resolves a config path against the project folder. */
  path(p: string): string;
}

export interface DatabaseContext extends ProjectContext {
  db: Database;
  /** The project lock, when the command holds it: long commands check it is still theirs. */
  lock?: ProjectLock;
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
  const config = configure ? configure(loaded.config, dir) : loaded.config;
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

export interface WithDatabaseOptions {
  /** Hold the project lock for the whole command (commands that write). Default true. */
  lock?: boolean;
  /** Apply pending migrations first. Default true. */
  migrate?: boolean;
  configure?: ConfigureProject;
}

/** openProject + withDatabase. */
export async function withProject<T>(
  args: CommonArgs,
  options: WithDatabaseOptions,
  fn: (ctx: DatabaseContext) => Promise<T>,
): Promise<T> {
  return withDatabase(openProject(args, options.configure), options, fn);
}

/** Database connected, lock held, migrations applied; always closes and releases. */
export async function withDatabase<T>(
  ctx: ProjectContext,
  options: WithDatabaseOptions,
  fn: (ctx: DatabaseContext) => Promise<T>,
): Promise<T> {
  const { config } = ctx;
  const lockTimeoutMs = config.database.lock_timeout_seconds * 1000;
  const started = performance.now();
  const db = await openDatabase({
    url: config.database.url,
    embeddedDir: ctx.path(config.database.embedded_dir),
    statementTimeoutMs: config.database.statement_timeout_seconds * 1000,
  });
  log.info(`database connected: ${db.description} (${formatDuration(performance.now() - started)})`);
  let lock: ProjectLock | undefined;
  try {
    if (options.lock !== false) lock = await acquireProjectLock(db, lockTimeoutMs);
    if (options.migrate !== false) {
      const t0 = performance.now();
      const status = await migrate(db, { dirs: [ctx.path("migrations")], lockTimeoutMs });
      if (status.ran.length > 0) {
        log.info(`migrations applied: ${status.ran.length} (${formatDuration(performance.now() - t0)})`);
      }
    }
    return await fn({ ...ctx, db, lock });
  } finally {
    await lock?.release().catch(() => {});
    await db.close().catch(() => {});
    log.info("database connection closed");
  }
}
