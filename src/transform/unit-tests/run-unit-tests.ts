import type { Database, Queryable } from "../../db/database.ts";
import { errorMessage } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { compareRows, type RowDiff, type TextRow } from "./compare-rows.ts";
import { formatUnitTestResult } from "./format-unit-test-result.ts";
import { type Column, inputColumns } from "./input-columns.ts";
import type { PlannedUnitTest, UnitTestInput } from "./plan-unit-tests.ts";
import {
  ACTUAL,
  COLUMNS_SQL,
  createActualSql,
  createExpectedSql,
  createInputAsSql,
  createInputSql,
  EXPECTED,
  insertRowsSql,
  insertSelectSql,
  readTextSql,
} from "./unit-test-sql.ts";

export interface UnitTestResult {
  name: string;
  model: string;
  /** pass: the rows match; fail: they differ; error: the test could not run (SQL error, bad column). */
  status: "pass" | "fail" | "error";
  /** The columns compared (those `expect` names). */
  columns: string[];
  expected: number;
  produced: number;
  diff?: RowDiff;
  error?: string;
  ms: number;
}

/** Thrown to end the test's transaction with ROLLBACK, carrying the outcome out. */
class Rollback {
  constructor(readonly outcome: Omit<UnitTestResult, "name" | "model" | "ms">) {}
}

/** A problem with the test itself, reported as the test's error. */
class UnitTestProblem extends Error {}

async function columnsOf(tx: Queryable, quoted: string): Promise<Column[]> {
  return (await tx.query<Column>(COLUMNS_SQL, [quoted])).rows;
}

/** Creates and fills the input's table; false when it has no columns at all (nothing told them). */
async function fillInput(tx: Queryable, input: UnitTestInput): Promise<boolean> {
  const real = input.contract ? undefined : await columnsOf(tx, input.standsFor);
  const { columns, problem } = inputColumns(input, real);
  if (problem) throw new UnitTestProblem(problem);
  if (input.sql !== undefined && columns.length === 0) {
    // Nothing else knows its columns: the SELECT's own are the table's.
    await labelled(`given ${input.input}`, () =>
      tx.query(createInputAsSql(input.table, input.sql as string)),
    );
    return true;
  }
  await tx.query(createInputSql(input.table, columns));
  await labelled(`given ${input.input}`, async () => {
    if (input.sql !== undefined) await tx.query(insertSelectSql(input.table, input.sql));
    else if (input.rows && input.rows.length > 0)
      await tx.query(insertRowsSql(input.table), [JSON.stringify(input.rows)]);
  });
  return columns.length > 0;
}

/** A database error said with which part of the test it came from. */
async function labelled<T>(label: string, fn: () => Promise<T>, hint = ""): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new UnitTestProblem(`${label}: ${errorMessage(error)}${hint}`);
  }
}

async function readText(tx: Queryable, table: string, columns: Column[]): Promise<TextRow[]> {
  const { rows } = await tx.query<Record<string, string | null>>(readTextSql(table, columns));
  return rows.map((r) => columns.map((c) => r[c.name] ?? null));
}

/** Everything in the test's transaction; always ends by throwing (Rollback or an error). */
async function runInside(tx: Queryable, test: PlannedUnitTest): Promise<never> {
  const unknown: string[] = [];
  for (const input of test.inputs) if (!(await fillInput(tx, input))) unknown.push(input.input);
  const hint =
    unknown.length > 0 ? ` (no columns known for ${unknown.join(", ")}: give rows, or build it)` : "";
  await labelled("the model", () => tx.query(createActualSql(test.sql)), hint);
  const actualColumns = await columnsOf(tx, ACTUAL);
  const rows = test.expect.rows;
  await labelled("expect", () =>
    tx.query(createExpectedSql(test.expect), rows ? [JSON.stringify(rows)] : []),
  );
  const names = rows
    ? [...new Set(rows.flatMap((r) => Object.keys(r)))]
    : (await columnsOf(tx, EXPECTED)).map((c) => c.name);
  const absent = names.filter((n) => !actualColumns.some((c) => c.name === n));
  if (absent.length > 0) {
    throw new UnitTestProblem(
      `expect names ${absent.map((n) => `"${n}"`).join(", ")}, which the model does not produce (${actualColumns.map((c) => c.name).join(", ")})`,
    );
  }
  // With no column named (`rows: []`), only the row count is compared.
  const columns = actualColumns.filter((c) => names.includes(c.name));
  const expected = columns.length > 0 ? await readText(tx, EXPECTED, columns) : await countRows(tx, EXPECTED);
  const actual = columns.length > 0 ? await readText(tx, ACTUAL, columns) : await countRows(tx, ACTUAL);
  const diff = compareRows(expected, actual);
  const pass = diff.missing.length === 0 && diff.unexpected.length === 0;
  throw new Rollback({
    status: pass ? "pass" : "fail",
    columns: columns.map((c) => c.name),
    expected: expected.length,
    produced: actual.length,
    ...(pass ? {} : { diff }),
  });
}

async function countRows(tx: Queryable, table: string): Promise<TextRow[]> {
  const { rows } = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Array.from({ length: Number(rows[0]?.n ?? 0) }, () => []);
}

/** One unit test in its own transaction, rolled back whatever happens: it leaves nothing behind. */
export async function runUnitTest(db: Database, test: PlannedUnitTest): Promise<UnitTestResult> {
  const started = performance.now();
  const base = { name: test.name, model: test.model };
  try {
    await db.transaction((tx) => runInside(tx, test));
    throw new Error("unreachable: a unit test's transaction always rolls back");
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof Rollback) return { ...base, ...error.outcome, ms };
    return {
      ...base,
      status: "error",
      columns: [],
      expected: 0,
      produced: 0,
      error: errorMessage(error),
      ms,
    };
  }
}

/** Runs the unit tests one by one, logging each result (with its diff); never throws for a failing one. */
export async function runUnitTests(
  db: Database,
  tests: readonly PlannedUnitTest[],
  onResult?: (r: UnitTestResult) => void,
): Promise<UnitTestResult[]> {
  const results: UnitTestResult[] = [];
  for (const test of tests) {
    const r = await runUnitTest(db, test);
    const text = formatUnitTestResult(r);
    if (r.status === "pass") log.info(text);
    else log.error(text);
    results.push(r);
    onResult?.(r);
  }
  return results;
}
