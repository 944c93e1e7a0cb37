import { readFileSync } from "node:fs";
import type { Queryable, Row } from "../db/database.ts";
import { ConfigError } from "../errors.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";

/** A report SQL file rendered with the project's refs, ready to run with named parameters. */
export interface ReportSql {
  file: string;
  sql: string;
  /** Models it refs: it is only meaningful once they hold the run's data. */
  refs: string[];
}

/** Reads and renders a report SQL file (exports.report); a ConfigError names the file's problems. */
export function loadReportSql(plan: ProjectPlan, file: string, label: string): ReportSql {
  let body: string;
  try {
    body = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`project.yml: ${label}: cannot read ${file}: ${(error as Error).message}`, {
      code: "CONFIG_INVALID",
    });
  }
  const r = plan.renderSql(body, file);
  if (r.problems.length > 0) {
    throw new ConfigError(
      `${file}: ${r.problems.map((p) => `${p.line ? `line ${p.line}: ` : ""}${p.message}`).join("; ")}`,
      { code: "CONFIG_INVALID" },
    );
  }
  return { file, sql: r.sql, refs: r.refs };
}

/**
 * `:name` placeholders as `$n` for the parameters given. Only those names, and not inside `--`
 * comments or quoted text, so a `::cast`, a literal's colon or a comment naming one is left alone.
 */
export function bindNamed(
  sql: string,
  params: Readonly<Record<string, unknown>>,
): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(/--[^\n]*|'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)/g, (whole, name?: string) => {
    if (name === undefined || !Object.hasOwn(params, name)) return whole;
    let i = order.indexOf(name);
    if (i === -1) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, values: order.map((n) => params[n] ?? null) };
}

export async function runReportSql(
  db: Queryable,
  report: ReportSql,
  params: Readonly<Record<string, unknown>>,
): Promise<Row[]> {
  const { text, values } = bindNamed(report.sql, params);
  return (await db.query(text, values)).rows;
}
