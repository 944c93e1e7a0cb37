import { defineCommand } from "citty";
import { loadSeed } from "../load/seed-load.ts";
import { planSeeds } from "../load/seed-plan.ts";
import { log } from "../log/logger.ts";
import { stage } from "../log/stage.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.seed,
  args: {
    ...commonArgs,
    ...demoArgs,
    select: { type: "string", description: "Only these seeds (names, comma-separated)" },
  },
  async run({ args }) {
    await withProject(args, {}, async ({ db, path }) => {
      const wanted = args.select?.split(/[\s,]+/).filter(Boolean);
      const plans = planSeeds(path("seeds")).filter((p) => !wanted || wanted.includes(p.name));
      if (plans.length === 0) log.warn("no seeds to load (seeds/*.csv)");
      for (const plan of plans) {
        await stage(
          `seed ${plan.schema}.${plan.table}`,
          () => loadSeed(db, plan),
          (n) => `rows ${n}`,
        );
      }
    });
  },
});
