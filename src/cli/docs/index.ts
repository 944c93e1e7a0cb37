import { defineCommand } from "citty";
import { COMMAND_META } from "../command-meta.ts";

// Not `export default defineCommand(…)`: see ../model/index.ts.
const docs = defineCommand({
  meta: COMMAND_META.docs,
  subCommands: {
    generate: () => import("./generate.ts").then((m) => m.default),
    serve: () => import("./serve.ts").then((m) => m.default),
  },
});

export default docs;
