import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

/** A throwaway project folder with the given files (paths relative to it). */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "elt-project-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** project.yml lines: the shipped models, macros and singular tests, read from the package. */
export const SHIPPED_MODELS_YAML = `models:
  paths: [${join(PACKAGE_ROOT, "models")}]
  test_paths: [${join(PACKAGE_ROOT, "tests")}]
  macro_paths: [${join(PACKAGE_ROOT, "macros")}]`;

/** project.yml lines under `exports:`: the shipped project's exported model and report SQL. */
export const SHIPPED_EXPORTS_LINES = `  summary: {model: daily_summary, date_column: day}
  report:
    landing_counts: ${join(PACKAGE_ROOT, "reports", "landing_counts.sql")}
    top_reasons: ${join(PACKAGE_ROOT, "reports", "top_reasons.sql")}
    reason_days: ${join(PACKAGE_ROOT, "reports", "reason_days.sql")}`;

/** project.yml lines: the report email (in English) through a test SMTP server, no retries. */
export const emailYaml = (smtpUrl: string) => `locale: en
exports:
${SHIPPED_EXPORTS_LINES}
  retries: 0
  email:
    smtp_url: "${smtpUrl}"
    from: elt@example.org
    to: ops@example.org`;
