import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { parseFaultPlan } from "../../simulator/fault-plan.ts";
import { startSimulator } from "../../simulator/start-simulator.ts";
import { commonArgs } from "../common-args.ts";

const int = (name: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`--${name}: expected a whole number`, { code: "USAGE" });
  return n;
};

export default defineCommand({
  meta: { name: "api", description: "Serve the API simulator until Ctrl-C" },
  args: {
    ...commonArgs,
    port: { type: "string", description: "Port (default 8765; 0 = any free port)", valueHint: "n" },
    seed: {
      type: "string",
      description: "Seed: the same seed and window give the same records",
      valueHint: "n",
    },
    "per-day": { type: "string", description: "Average attempts per day (default 9000)", valueHint: "n" },
    client: { type: "string", description: "Expected client (default demo)" },
    "client-key": { type: "string", description: "Expected client_key (default demo-key)" },
    fault: {
      type: "string",
      // One line: citty pads every option's description to the longest one.
      description:
        "Fault plan, e.g. 503x2,flip:10x1 (xN: for N requests). Faults: NNN[:s] delay:MS reset abort truncate " +
        "html[:NNN] slow:MS empty junk half surrogate deep badbytes trickle:MS flip:PCT outside:N",
      valueHint: "plan",
    },
  },
  async run({ args }) {
    let faults: ReturnType<typeof parseFaultPlan> = [];
    try {
      faults = args.fault ? parseFaultPlan(args.fault) : [];
    } catch (error) {
      throw new ConfigError(`--fault: ${(error as Error).message}`, { code: "USAGE" });
    }
    const sim = await startSimulator({
      port: int("port", args.port) ?? 8765,
      seed: int("seed", args.seed),
      perDay: int("per-day", args["per-day"]),
      client: args.client,
      clientKey: args["client-key"],
      faults,
    });
    const client = args.client ?? "demo";
    log.info(`API simulator listening: ${sim.url}`);
    // The simulator's credentials are not secrets: print them so a person can configure a project.
    console.log(`url: ${sim.url}\nclient: ${client}\nclient_key: ${args["client-key"] ?? "demo-key"}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await sim.close();
    log.info(`API simulator stopped after ${sim.requests} requests`);
  },
});
