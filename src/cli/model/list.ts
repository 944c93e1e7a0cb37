import { defineCommand } from "citty";
import { planFromArgs, selectionArgs, selectsByState } from "../../transform/cli-options.ts";
import type { ProjectPlan } from "../../transform/plan-project.ts";
import { readFingerprints } from "../../transform/read-fingerprints.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs, demoArgs } from "../common-args.ts";
import { openProject } from "../open-project.ts";
import { withProject } from "../project-context.ts";

/** One line per model; with a selection, why each is in (`SQL changed`, `downstream of x`). */
function print(plan: ProjectPlan): void {
  const width = Math.max(0, ...plan.models.map((m) => m.name.length));
  const lines = plan.models.map((m) => {
    const line = `${m.name.padEnd(width)}  ${m.config.materialized.padEnd(11)}  ${m.relation.schema}.${m.relation.name}`;
    const why = plan.why.get(m.name);
    return why ? `${line}  (${why})` : line;
  });
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

export default defineCommand({
  meta: COMMAND_META["model list"],
  args: { ...commonArgs, ...demoArgs, ...selectionArgs },
  async run({ args }) {
    // Listing needs no database, unless the selection compares with the last build.
    if (!selectsByState(args)) return print(planFromArgs(openProject(args), args));
    await withProject(args, { lock: false, migrate: false }, async (ctx) =>
      print(planFromArgs(ctx, args, await readFingerprints(ctx.db))),
    );
  },
});
