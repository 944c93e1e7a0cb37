import type { Database } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/open-database.ts";
import { acquireProjectLock, type ProjectLock } from "../db/project-lock.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { CommonArgs } from "./common-args.ts";
import { emptyDatabaseHint } from "./empty-database-hint.ts";
import { type ConfigureProject, openProject, type ProjectContext } from "./open-project.ts";

// Loading the project (no database) lives in open-project.ts, which `elt model list|compile` import
// without the database drivers; re-exported for the commands that use both.
export {
  type ConfigureProject,
  openProject,
  openProjectForRun,
  type ProjectContext,
} from "./open-project.ts";

export interface DatabaseContext extends ProjectContext {
  db: Database;
  /** The project lock, when the command holds it: long commands check it is still theirs. */
  lock?: ProjectLock;
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
    await emptyDatabaseHint(ctx, db);
    return await fn({ ...ctx, db, lock });
  } finally {
    await lock?.release().catch(() => {});
    await db.close().catch(() => {});
    log.info("database connection closed");
  }
}
