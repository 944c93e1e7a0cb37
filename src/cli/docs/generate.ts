import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { buildDocsManifest } from "../../docs/docs-manifest.ts";
import { exportDocs } from "../../docs/export-lineage.ts";
import { type Ledger, noLedger } from "../../docs/ledger.ts";
import { readLedger } from "../../docs/read-ledger.ts";
import { readProjectDocs } from "../../docs/read-project-docs.ts";
import { renderSite } from "../../docs/render-site.ts";
import { knownError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { planProject } from "../../transform/plan-project.ts";
import { COMMAND_META } from "../command-meta.ts";
import { type CommonArgs, commonArgs, demoArgs } from "../common-args.ts";
import { openProject, type ProjectContext, withDatabase } from "../project-context.ts";

/**
 * The last builds and test results, when there is a database to read them from. Docs are worth
 * having without one (a new clone, a server that is down): the site then says why it has none.
 */
async function ledgerOf(ctx: ProjectContext): Promise<Ledger> {
  const { database } = ctx.config;
  // An embedded database never created holds no ledger: not worth an initdb.
  if (!database.url && !existsSync(join(ctx.path(database.embedded_dir), "PG_VERSION"))) {
    return noLedger(`the embedded database (${database.embedded_dir}) has not been created yet`);
  }
  try {
    return await withDatabase(ctx, { lock: false, migrate: false }, ({ db }) => readLedger(db));
  } catch (error) {
    const known = knownError(error);
    if (!known) throw error;
    log.warn(`docs without build and test results: ${known.message}`);
    return noLedger(known.message);
  }
}

/** Plans the project, reads the ledger, writes target/docs/index.html and manifest.json. */
export async function generateDocs(args: CommonArgs): Promise<string> {
  const ctx = openProject(args);
  const plan = planProject({ projectDir: ctx.projectDir, config: ctx.config });
  const manifest = buildDocsManifest({
    project: ctx.config.name,
    plan,
    files: readProjectDocs(plan, ctx.config),
    exports: exportDocs(ctx.config, plan, ctx.path),
    ledger: await ledgerOf(ctx),
    generatedAt: new Date(),
  });
  const dir = join(ctx.path(ctx.config.models.target_path), "docs");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.html"), renderSite(manifest));
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  log.info(
    `docs: ${manifest.models.length} models, ${manifest.sources.length} sources, ${manifest.tests.length} tests written to ${join(dir, "index.html")}`,
  );
  return dir;
}

export default defineCommand({
  meta: COMMAND_META["docs generate"],
  args: { ...commonArgs, ...demoArgs },
  async run({ args }) {
    await generateDocs(args);
  },
});
