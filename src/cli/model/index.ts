import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "model", description: "Build, compile and list the SQL models" },
  subCommands: {
    build: () => import("./build.ts").then((m) => m.default),
    compile: () => import("./compile.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
  },
});
