import { defineCommand } from "citty";
import { demoConfig } from "../pipeline/demo-config.ts";
import { formatStatus } from "../pipeline/format-status.ts";
import { pipelineStatus } from "../pipeline/pipeline-status.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.status,
  args: {
    ...commonArgs,
    json: { type: "boolean", description: "Print JSON for machines" },
    limit: { type: "string", description: "How many runs (default 10)", valueHint: "n" },
    demo: { type: "boolean", description: "The demo's embedded database (after `npm run demo`)" },
  },
  async run({ args }) {
    const limit = Math.max(1, Number.parseInt(args.limit ?? "10", 10) || 10);
    // Reading takes no lock and runs no migration; on the embedded database it waits only briefly.
    const configure = args.demo
      ? (c: Parameters<typeof demoConfig>[0]) => demoConfig(c, "http://127.0.0.1/")
      : undefined;
    await withProject(args, { lock: false, migrate: false, configure }, async ({ db, config }) => {
      const status = await pipelineStatus(db, limit, {
        maxFetches: config.extract.plausibility.max_fetches,
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${formatStatus(status)}\n`);
    });
  },
});
