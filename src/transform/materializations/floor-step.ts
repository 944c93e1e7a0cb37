import { type BuildStep, sqlStep } from "../build-step.ts";
import type { MaterializeInput } from "./context.ts";
import { readFloorSql, tempName } from "./templates.ts";

/**
 * The step reading the model's watermark source before its SELECT (none when the source will not
 * stand), and the relation keeping that maximum for saveWatermarkSql.
 */
export function floorStep(input: MaterializeInput): { steps: BuildStep[]; floor?: string } {
  if (!input.floor) return { steps: [] };
  const floor = tempName(input.model.name, "floor");
  return { steps: [sqlStep("read the watermark source", readFloorSql(floor, input.floor))], floor };
}
