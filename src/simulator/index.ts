export { type Fault, type FaultPlan, parseFault, parseFaultPlan } from "./fault-plan.ts";
export {
  type ApiRecord,
  countAttempts,
  DEFAULT_PER_DAY,
  DEFAULT_SEED,
  formatMicros,
  type GenerateOptions,
  generateAttempts,
  type MalformedKind,
  type SimulatedAttempt,
  simulateAttempts,
} from "./generate-attempts.ts";
export { parseApiTime } from "./parse-api-time.ts";
export { pythonDictRepr, pythonStringRepr } from "./python-repr.ts";
export {
  DEFAULT_CLIENT,
  DEFAULT_CLIENT_KEY,
  flipPicks,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "./start-simulator.ts";
