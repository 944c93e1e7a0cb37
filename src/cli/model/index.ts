import { defineCommand } from "citty";
import { COMMAND_META } from "../command-meta.ts";

// Not `export default defineCommand(…)`: tsc leaves the `.ts` of dynamic imports inside an
// `export default` expression unrewritten (scripts/build.mjs checks for it).
const model = defineCommand({
  meta: COMMAND_META.model,
  subCommands: {
    build: () => import("./build.ts").then((m) => m.default),
    compile: () => import("./compile.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
  },
});

export default model;
