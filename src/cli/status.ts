import { defineCommand } from "citty";
import { ConfigError } from "../errors.ts";
import { formatRunDetail } from "../pipeline/format-run-detail.ts";
import { formatStatus } from "../pipeline/format-status.ts";
import { pipelineStatus } from "../pipeline/pipeline-status.ts";
import { runDetail } from "../pipeline/run-detail.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.status,
  args: {
    ...commonArgs,
    json: { type: "boolean", description: "Print JSON for machines" },
    limit: { type: "string", description: "How many runs (default 10)", valueHint: "n" },
    run: {
      type: "string",
      description: "Show one run whole: stages, loads, model builds, audits, source checks, exports",
      valueHint: "id",
    },
    ...demoArgs,
  },
  async run({ args }) {
    const limit = Math.max(1, Number.parseInt(args.limit ?? "10", 10) || 10);
    if (args.run !== undefined && !/^[1-9]\d*$/.test(args.run)) {
      throw new ConfigError(`--run: expected a run id (a whole number), got "${args.run}"`, {
        code: "USAGE",
      });
    }
    const print = (value: unknown, text: () => string) =>
      process.stdout.write(`${args.json ? JSON.stringify(value, null, 2) : text()}\n`);
    // Reading takes no lock and runs no migration: it answers while a run holds the lock.
    await withProject(args, { lock: false, migrate: false }, async ({ db, config }) => {
      if (args.run !== undefined) {
        const detail = await runDetail(db, Number(args.run));
        print(detail, () => formatRunDetail(detail));
        return;
      }
      const status = await pipelineStatus(db, limit, { maxFetches: config.extract.plausibility.max_fetches });
      print(status, () => formatStatus(status));
    });
  },
});
