import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { parseFaultPlan } from "../../simulator/fault-plan.ts";
import { startSimulator } from "../../simulator/start-simulator.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs } from "../common-args.ts";

const int = (name: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`--${name}: expected a whole number`, { code: "USAGE" });
  return n;
};

/** The listen errors a person causes (a port taken, a privileged port) as usage errors, not a stack. */
function listenError(error: unknown, port: number): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException)?.code;
  const hint = "stop what listens there, or pick another port with --port N (--port 0 takes any free one)";
  if (code === "EADDRINUSE")
    return new ConfigError(`port ${port} is in use`, { code: "USAGE", hint, cause: error });
  if (code === "EACCES") {
    return new ConfigError(`port ${port}: permission denied (ports below 1024 need privileges)`, {
      code: "USAGE",
      hint,
      cause: error,
    });
  }
  return undefined;
}

export default defineCommand({
  meta: COMMAND_META["dev api"],
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
        "html[:NNN] slow:MS empty junk half surrogate deep badbytes trickle:MS flip:PCT outside:N " +
        "stale:H rename:OLD=NEW retype:KEY",
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
    const port = int("port", args.port) ?? 8765;
    if (port > 65_535) throw new ConfigError(`--port: expected 0 to 65535, got ${port}`, { code: "USAGE" });
    const sim = await startSimulator({
      port,
      seed: int("seed", args.seed),
      perDay: int("per-day", args["per-day"]),
      client: args.client,
      clientKey: args["client-key"],
      faults,
    }).catch((error: unknown) => {
      throw listenError(error, port) ?? error;
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
