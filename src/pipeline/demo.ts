import type { ConfigureProject } from "../cli/project-context.ts";
import { startSimulator } from "../simulator/start-simulator.ts";
import { demoConfig } from "./demo-config.ts";

/**
 * Starts the API simulator in this process on a free loopback port; nothing leaves the machine.
 * Returns the config adjustment for withProject and the simulator's stop.
 */
export async function startDemo(): Promise<{ configure: ConfigureProject; close: () => Promise<void> }> {
  const simulator = await startSimulator({ port: 0, seed: 42 });
  return { configure: (config) => demoConfig(config, simulator.url), close: () => simulator.close() };
}
