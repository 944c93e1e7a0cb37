import { formatDuration } from "../../log/timestamp.ts";
import { formatRowDiff } from "./compare-rows.ts";
import type { UnitTestResult } from "./run-unit-tests.ts";

/** `unit test stg_orders.escapes: pass (12 ms)`, or the failure with its row diff, one line each. */
export function formatUnitTestResult(r: UnitTestResult): string {
  const head = `unit test ${r.model}.${r.name}`;
  if (r.status === "pass") return `${head}: pass (${formatDuration(r.ms)})`;
  if (r.status === "error") return `${head}: error: ${r.error}`;
  return [
    `${head}: fail, ${r.expected} row${r.expected === 1 ? "" : "s"} expected, ${r.produced} produced (compared: ${r.columns.join(", ") || "row count"})`,
    ...(r.diff ? formatRowDiff(r.columns, r.diff).map((l) => `  ${l}`) : []),
  ].join("\n");
}
