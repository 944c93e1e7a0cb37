import { defineCommand } from "citty";
import { COMMAND_META } from "../command-meta.ts";

// Not `export default defineCommand(…)`: see ../model/index.ts.
const dev = defineCommand({
  meta: COMMAND_META.dev,
  subCommands: { api: () => import("./api.ts").then((m) => m.default) },
});

export default dev;
