import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ProjectConfig } from "../../src/config/project-schema.ts";
import { type ProjectPlan, planProject } from "../../src/transform/plan-project.ts";
import { PROJECT_DIR } from "./bench-project.ts";

/** The shipped project's models, or undefined (with why) while they are not there yet. */
export async function shippedPlan(config: ProjectConfig): Promise<{ plan?: ProjectPlan; why?: string }> {
  if (!existsSync(join(PROJECT_DIR, "models"))) return { why: "models/ is not in the checkout yet" };
  const plan = await planProject({ projectDir: PROJECT_DIR, config });
  if (plan.models.length === 0) return { why: "models/ holds no models yet" };
  return { plan };
}
