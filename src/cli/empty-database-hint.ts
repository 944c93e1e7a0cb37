import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Queryable } from "../db/database.ts";
import { log } from "../log/logger.ts";
import { DEMO_PATHS } from "../pipeline/demo-config.ts";
import type { ProjectContext } from "./open-project.ts";

/**
 * An analyst who ran the demo and then a plain command (`elt model build`) lands on the project's
 * own embedded database, which is empty: say where the data is, instead of building nothing quietly.
 */
export async function emptyDatabaseHint(ctx: ProjectContext, db: Queryable): Promise<void> {
  const { config } = ctx;
  if (config.database.url) return;
  const demoDir = resolve(ctx.path(DEMO_PATHS.database));
  if (resolve(ctx.path(config.database.embedded_dir)) === demoDir) return;
  if (!existsSync(join(demoDir, "PG_VERSION"))) return;
  const table = await db.query<{ t: string | null }>("SELECT to_regclass('raw.api_attempts')::text AS t");
  if (table.rows[0]?.t) {
    const { rows } = await db.query<{ any: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM raw.api_attempts) AS any",
    );
    if (rows[0]?.any) return;
  }
  log.warn(
    `hint: this project's embedded database (${ctx.path(config.database.embedded_dir)}) holds no records yet, while the demo's does (${demoDir}): add --demo to work on the demo's data`,
  );
}
