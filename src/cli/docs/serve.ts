import { defineCommand } from "citty";
import { serveSite } from "../../docs/serve-site.ts";
import { ConfigError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs, demoArgs } from "../common-args.ts";
import { generateDocs } from "./generate.ts";

export default defineCommand({
  meta: COMMAND_META["docs serve"],
  args: {
    ...commonArgs,
    ...demoArgs,
    port: {
      type: "string",
      description: "Port on 127.0.0.1 (default 8580; 0 = any free port)",
      valueHint: "n",
    },
  },
  async run({ args }) {
    const port = Number(args.port ?? 8580);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigError(`--port: expected 0 to 65535, got ${args.port}`, { code: "USAGE" });
    }
    // Always generated first: the site shows the models and ledger as they are now.
    const dir = await generateDocs(args);
    const site = await serveSite(dir, port).catch((error: unknown) => {
      const inUse = (error as NodeJS.ErrnoException)?.code === "EADDRINUSE";
      if (!inUse) throw error;
      throw new ConfigError(`port ${port} is in use`, {
        code: "USAGE",
        hint: "pick another with --port N (0 = any)",
      });
    });
    log.info(`docs served at ${site.url} (Ctrl-C stops)`);
    console.log(site.url);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await site.close();
  },
});
