import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject } from "../../src/config/load-project.ts";
import type { ProjectConfig } from "../../src/config/project-schema.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

/** The shipped project (project.yml and models/ at the repository root); BENCH_PROJECT_DIR: another. */
export const PROJECT_DIR = process.env.BENCH_PROJECT_DIR ?? PACKAGE_ROOT;

export interface BenchConfigOptions {
  /** PostgreSQL URL; absent: the embedded database in `embeddedDir`. */
  databaseUrl?: string;
  embeddedDir?: string;
  apiUrl?: string;
  logDir: string;
}

/**
 * The shipped project's configuration pointed at the benchmark's database and API, with the
 * exporters unconfigured (nothing leaves the machine).
 */
export function benchConfig(o: BenchConfigOptions): ProjectConfig {
  const { config } = loadProject(PROJECT_DIR, {
    env: {
      DATABASE_URL: o.databaseUrl ?? "",
      ELT_API_URL: o.apiUrl ?? "http://127.0.0.1:9/api/statistics",
      ELT_API_CLIENT: "demo",
      ELT_API_CLIENT_KEY: "demo-key",
      ELT_LOG_DIR: o.logDir,
      ELT_LOG_LEVEL: "warn",
    },
  });
  return {
    ...config,
    database: { ...config.database, embedded_dir: o.embeddedDir ?? config.database.embedded_dir },
    // One window per day; a failing window must fail the benchmark, not retry for minutes.
    api: { ...config.api, retries: 0, timeout_seconds: 600 },
  };
}

/** Logs only warnings and errors, to the console: the benchmark prints its own lines. */
export function quietLogs(): void {
  configureLogging({ level: "warn" });
}

/** Opens the database (PostgreSQL URL or embedded folder) with the tool's migrations applied. */
export async function openMigrated(o: { url?: string; embeddedDir?: string }): Promise<Database> {
  const db = await openDatabase({
    url: o.url,
    embeddedDir: o.embeddedDir ?? join(tmpdir(), "elt-bench-embedded"),
  });
  await migrate(db, { dirs: [] });
  return db;
}

/** A temporary folder removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `elt-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
