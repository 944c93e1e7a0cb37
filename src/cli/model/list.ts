import { defineCommand } from "citty";
import { planFromArgs, selectionArgs } from "../../transform/cli-options.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs, demoArgs } from "../common-args.ts";
import { openProject } from "../open-project.ts";

export default defineCommand({
  meta: COMMAND_META["model list"],
  args: { ...commonArgs, ...demoArgs, ...selectionArgs },
  run({ args }) {
    const plan = planFromArgs(openProject(args), args);
    const width = Math.max(0, ...plan.models.map((m) => m.name.length));
    const lines = plan.models.map(
      (m) =>
        `${m.name.padEnd(width)}  ${m.config.materialized.padEnd(11)}  ${m.relation.schema}.${m.relation.name}`,
    );
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
  },
});
