import type { ProjectConfig } from "../config/project-schema.ts";
import type { Queryable } from "../db/database.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";

/** What an exporter needs: the database, the project's config, its folder and path resolver. */
export interface ExportContext {
  db: Queryable;
  config: ProjectConfig;
  /** Resolves a config path against the project folder. */
  path: (p: string) => string;
  /** The project folder: its models say what is exported and how it is labelled. */
  projectDir: string;
  /** The run's plan, when a run already compiled the project (else compiled on first use). */
  plan?: ProjectPlan;
}
