import { defineCommand } from "citty";
import { migrate } from "../db/migrate.ts";
import { log } from "../log/logger.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.migrate,
  args: {
    ...commonArgs,
    ...demoArgs,
    "dry-run": { type: "boolean", description: "Only list, apply nothing", default: false },
  },
  async run({ args }) {
    await withProject(args, { migrate: false }, async ({ db, path, config }) => {
      const status = await migrate(db, {
        dirs: [path("migrations")],
        dryRun: args["dry-run"],
        lockTimeoutMs: config.database.lock_timeout_seconds * 1000,
      });
      for (const name of status.applied)
        log.info(`applied  ${name}${status.ran.includes(name) ? "  (now)" : ""}`);
      for (const name of status.pending) log.info(`pending  ${name}`);
      log.info(
        `migrations: ${status.applied.length} applied (${status.ran.length} now), ${status.pending.length} pending`,
      );
    });
  },
});
