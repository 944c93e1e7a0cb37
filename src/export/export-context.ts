import type { ProjectConfig } from "../config/project-schema.ts";
import type { Queryable } from "../db/database.ts";

/** What an exporter needs: the database, the project's config and its path resolver. */
export interface ExportContext {
  db: Queryable;
  config: ProjectConfig;
  /** Resolves a config path against the project folder. */
  path: (p: string) => string;
}
