import { defineCommand } from "citty";
import { ConfigError } from "../errors.ts";
import { EXPORT_TARGETS, runExports } from "../export/run-exports.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.export,
  args: {
    ...commonArgs,
    ...demoArgs,
    target: {
      type: "positional",
      required: false,
      description: `${EXPORT_TARGETS.join(", ")} or all (default: all)`,
      valueHint: `${EXPORT_TARGETS.join("|")}|all`,
    },
    date: {
      type: "string",
      description:
        "The day to export, YYYY-MM-DD (default: the latest day of the exported model, exports.summary)",
      valueHint: "YYYY-MM-DD",
    },
  },
  async run({ args }) {
    const target = args.target ?? "all";
    if (target !== "all" && !(EXPORT_TARGETS as readonly string[]).includes(target)) {
      throw new ConfigError(`export: expected ${EXPORT_TARGETS.join(", ")} or all, got "${target}"`, {
        code: "USAGE",
      });
    }
    const targets = target === "all" ? EXPORT_TARGETS : [target];
    await withProject(args, {}, (ctx) => runExports(ctx, { targets, date: args.date }));
  },
});
