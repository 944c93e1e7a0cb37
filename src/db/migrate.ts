import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { UmzugStorage } from "umzug";
import { EltError } from "../errors.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import type { Database, Queryable } from "./database.ts";
import { waitFor } from "./wait-for.ts";

/** What a `.ts` migration exports: `up` runs inside the migration's transaction. */
export interface MigrationModule {
  up(tx: Queryable): Promise<void>;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied by this call. */
  ran: string[];
}

export interface MigrateOptions {
  /** Folders of migrations; the tool's own folder always comes first. */
  dirs?: string[];
  /** How long to wait for another process migrating the same database. */
  lockTimeoutMs?: number;
  /** Only report applied/pending, apply nothing. */
  dryRun?: boolean;
}

const BOOTSTRAP = `
CREATE SCHEMA IF NOT EXISTS elt;
CREATE TABLE IF NOT EXISTS elt.migrations (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

interface MigrationFile {
  name: string;
  path: string;
}

export function migrationFiles(dirs: string[]): MigrationFile[] {
  const byName = new Map<string, MigrationFile>();
  for (const dir of new Set(dirs.map((d) => resolve(d)))) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      const ext = extname(file);
      if (ext !== ".sql" && ext !== ".ts") continue;
      const name = basename(file, ext);
      const existing = byName.get(name);
      if (existing) {
        throw new EltError(`migration ${name} exists twice: ${existing.path} and ${join(dir, file)}`, {
          code: "MIGRATION_DUPLICATE",
          exitCode: 2,
        });
      }
      byName.set(name, { name, path: join(dir, file) });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function applyFile(tx: Queryable, file: MigrationFile): Promise<void> {
  if (file.path.endsWith(".sql")) {
    await tx.query(readFileSync(file.path, "utf8"));
  } else {
    const mod = (await import(pathToFileURL(file.path).href)) as Partial<MigrationModule>;
    if (typeof mod.up !== "function") throw new Error(`${file.path} exports no up(tx) function`);
    await mod.up(tx);
  }
  // Recorded in the migration's own transaction: applied and recorded, or neither.
  await tx.query("INSERT INTO elt.migrations(name) VALUES ($1)", [file.name]);
}

/**
 * Applies pending migrations in name order, each in its own transaction, under an exclusive lock
 * so two processes migrating at once apply each migration exactly once.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const files = migrationFiles([join(PACKAGE_ROOT, "migrations"), ...(options.dirs ?? [])]);
  const release = await waitFor(() => db.tryLock("migrate"), options.lockTimeoutMs ?? 600_000);
  if (!release) {
    throw new EltError("another process is migrating this database; gave up waiting", {
      code: "LOCKED",
      exitCode: 1,
    });
  }
  try {
    await db.query(BOOTSTRAP);
    const executed = async () => {
      const { rows } = await db.query<{ name: string }>("SELECT name FROM elt.migrations ORDER BY name");
      return rows.map((r) => r.name);
    };
    // Most commands find nothing to apply: they need not load umzug (~70 ms of module loading).
    const done = new Set(await executed());
    if (options.dryRun || files.every((f) => done.has(f.name))) {
      return {
        applied: [...done].sort(),
        pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
        ran: [],
      };
    }
    const { Umzug } = await import("umzug");
    const storage: UmzugStorage = {
      executed,
      async logMigration() {},
      async unlogMigration() {
        throw new Error("elt migrations are forward-only");
      },
    };
    const umzug = new Umzug({
      migrations: files.map((file) => ({
        name: file.name,
        path: file.path,
        up: () => db.transaction((tx) => applyFile(tx, file)),
      })),
      storage,
      logger: undefined,
    });
    const pending = (await umzug.pending()).map((m) => m.name);
    const ran = (await umzug.up()).map((m) => m.name);
    const applied = (await umzug.executed()).map((m) => m.name);
    return { applied, pending: pending.filter((p) => !ran.includes(p)), ran };
  } catch (error) {
    // umzug's MigrationError carries the whole client; keep only the message and the cause's.
    const cause = (error as { cause?: Error }).cause;
    throw new EltError(`migration failed: ${cause?.message ?? (error as Error).message}`, {
      code: "MIGRATION_FAILED",
      exitCode: 1,
    });
  } finally {
    await release();
  }
}
