import { errorMessage } from "../errors.ts";
import type { SqlOrigin } from "./sql-origin.ts";
import { type SourcePoint, sourceAt } from "./sql-source-map.ts";

/** The fields of a PostgreSQL error (node-postgres' DatabaseError) this reads. */
interface PgErrorFields {
  position?: unknown;
  internalPosition?: unknown;
  internalQuery?: unknown;
  detail?: unknown;
  hint?: unknown;
}

const text = (x: unknown): string | undefined => (typeof x === "string" && x !== "" ? x : undefined);

/** PostgreSQL counts a position in characters from 1; JavaScript indexes UTF-16 units from 0. */
function indexOfPosition(sql: string, position: number): number {
  if (!/[\uD800-\uDFFF]/.test(sql)) return position - 1;
  let i = 0;
  for (let n = 1; n < position && i < sql.length; n++) i += (sql.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

/**
 * The error's statement and 0-based index in it, from `position` or (inside a function)
 * `internalPosition`; none when it does not fall in the statement (the error came from another).
 */
function errorIndex(e: PgErrorFields, statement: string): { sql: string; index: number } | undefined {
  const pos = Number(text(e.position));
  const internal = Number(text(e.internalPosition));
  const query = text(e.internalQuery);
  const at =
    pos > 0
      ? { sql: statement, index: indexOfPosition(statement, pos) }
      : internal > 0 && query
        ? { sql: query, index: indexOfPosition(query, internal) }
        : undefined;
  return at && at.index <= at.sql.length ? at : undefined;
}

/**
 * The source point of an index into a statement that embeds one of the renderings (after a wrapper
 * such as `CREATE VIEW v AS`). The longest rendering found wins: the full and the incremental
 * renderings of a model can share their start.
 */
function locateInRendered(
  statement: string,
  index: number,
  rendered: SqlOrigin["rendered"],
): SourcePoint | undefined {
  const candidates = rendered
    .map((r) => ({ ...r, needle: r.sql.replace(/[\s;]+$/, "") }))
    .sort((a, b) => b.needle.length - a.needle.length);
  for (const r of candidates) {
    const start = statement.indexOf(r.needle);
    if (start < 0 || index < start || index > start + r.needle.length) continue;
    return sourceAt(r.map, index - start);
  }
  return undefined;
}

/** `  12 | SELECT a,, b` and a caret under the column; long lines are cut around it. */
function showLine(label: string, line: string, column?: number): string[] {
  let shown = line.replace(/\r$/, "");
  let col = column;
  const WIDTH = 120;
  if (shown.length > WIDTH) {
    const from = Math.max(0, Math.min((col ?? 1) - 1 - WIDTH / 2, shown.length - WIDTH));
    shown = `${from > 0 ? "…" : ""}${shown.slice(from, from + WIDTH)}${from + WIDTH < shown.length ? "…" : ""}`;
    if (col !== undefined) col = col - from + (from > 0 ? 1 : 0);
  }
  const out = [`  ${label} | ${shown}`];
  if (col !== undefined) {
    // Tabs stay tabs so the caret lines up however they are displayed.
    const pad = shown.slice(0, col - 1).replace(/[^\t]/g, " ");
    out.push(`  ${" ".repeat(label.length)} | ${pad}^`);
  }
  return out;
}

/**
 * A database error as `file:line:column: message`, the source line with a caret, then PostgreSQL's
 * detail and hint. The position PostgreSQL gives in the statement is mapped through the rendered
 * SQL back to the template (or partial) line; an error outside any template (a generated test, a
 * wrapper) names `origin` and shows the statement's line. Without a position (division by zero),
 * today's one-line message, naming `origin`. `context` prefixes the message (what the step was).
 */
export function pointAtSource(
  error: unknown,
  statement: string,
  origin: SqlOrigin,
  context?: string,
): string {
  const e = (error ?? {}) as PgErrorFields;
  const message = `${context ? `${context}: ` : ""}${errorMessage(error)}`;
  const detail = text(e.detail);
  const hint = text(e.hint);
  const declared = `${origin.file}${origin.line ? `:${origin.line}` : ""}`;
  const at = errorIndex(e, statement);
  if (!at) return [`${declared}: ${message}`, detail, hint].filter((x) => x !== undefined).join(" — ");
  const point = locateInRendered(at.sql, at.index, origin.rendered);
  const lines: string[] = [];
  if (point) {
    lines.push(`${point.file}:${point.line}${point.column ? `:${point.column}` : ""}: ${message}`);
    lines.push(...showLine(String(point.line), point.text, point.column));
  } else {
    const start = at.index > 0 ? at.sql.lastIndexOf("\n", at.index - 1) + 1 : 0;
    const end = at.sql.indexOf("\n", at.index);
    lines.push(`${declared}: ${message}`);
    lines.push(...showLine("sql", at.sql.slice(start, end < 0 ? undefined : end), at.index - start + 1));
  }
  if (detail) lines.push(`  DETAIL: ${detail}`);
  if (hint) lines.push(`  HINT: ${hint}`);
  return lines.join("\n");
}
