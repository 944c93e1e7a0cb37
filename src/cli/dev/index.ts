import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "dev", description: "Development helpers (the API simulator)" },
  subCommands: { api: () => import("./api.ts").then((m) => m.default) },
});
