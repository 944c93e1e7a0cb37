import type { ProjectConfig } from "../../config/project-schema.ts";
import type { Notice } from "../../pipeline/notice.ts";
import type { ExportContext } from "../export-context.ts";
import type { RunReport } from "../run-report.ts";

/** What one exporter is asked to deliver: the days, and the run's report (or a standalone one). */
export interface ExportRequest {
  days: string[];
  runId?: number;
  report: RunReport;
}

export interface ExportOutcome {
  status: "written" | "skipped";
  /** The stage detail in the run ledger (`12 rows to …`, `sent`, `not configured`), worded for the email. */
  detail: Notice;
}

/**
 * One way out of the project (docs/adr/0013-project-files-own-the-project.md): adding one is a
 * file in this folder, an entry in registry.ts and its config key under `exports:`.
 */
export interface Exporter {
  /** Its key under `exports:` in project.yml, and its name in `elt export --only`. */
  key: string;
  /** The pipeline's stage name. */
  stage: string;
  /**
   * `published`: after a build that published (a failed build holds the last good figures back);
   * `always`: at the end of every run, whatever happened (the report says what).
   */
  when: "published" | "always";
  description: string;
  /** Where it writes, as configured (no secrets), and whether it is configured at all. */
  target(config: ProjectConfig): string;
  configured(config: ProjectConfig): boolean;
  /** Relations it reads besides the exported model: the refs of its report SQL, by model name. */
  reportSql(config: ProjectConfig): string[];
  run(ctx: ExportContext, request: ExportRequest): Promise<ExportOutcome>;
}
