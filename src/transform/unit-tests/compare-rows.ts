/** A row as text values (PostgreSQL's text of each value, after casting to the model's column types). */
export type TextRow = (string | null)[];

export interface RowDiff {
  /** Expected rows the model did not produce (as many times as they are short). */
  missing: TextRow[];
  /** Rows the model produced that were not expected (as many times as they are extra). */
  unexpected: TextRow[];
}

/** Expected against actual as multisets: order does not matter, duplicates do. */
export function compareRows(expected: TextRow[], actual: TextRow[]): RowDiff {
  const key = (r: TextRow) => JSON.stringify(r);
  const left = new Map<string, { row: TextRow; n: number }>();
  for (const r of actual) {
    const k = key(r);
    const e = left.get(k);
    if (e) e.n++;
    else left.set(k, { row: r, n: 1 });
  }
  const missing: TextRow[] = [];
  for (const r of expected) {
    const e = left.get(key(r));
    if (e && e.n > 0) e.n--;
    else missing.push(r);
  }
  const unexpected = [...left.values()].flatMap((e) => Array.from({ length: e.n }, () => e.row));
  return { missing, unexpected };
}

const show = (columns: string[], r: TextRow) =>
  `{${columns.map((c, i) => `${c}: ${r[i] === null ? "NULL" : JSON.stringify(r[i])}`).join(", ")}}`;

/**
 * The diff as lines: each missing row (-) followed by how the closest unexpected row differs from
 * it (so a wrong value reads as one line), then the unexpected rows (+).
 */
export function formatRowDiff(columns: string[], diff: RowDiff): string[] {
  const lines: string[] = [];
  const unused = [...diff.unexpected];
  if (diff.missing.length > 0) lines.push("expected, not produced:");
  for (const r of diff.missing) {
    lines.push(`  - ${show(columns, r)}`);
    let best = -1;
    let bestSame = 0;
    unused.forEach((u, i) => {
      const same = u.filter((v, c) => v === r[c]).length;
      if (same > bestSame) [best, bestSame] = [i, same];
    });
    const near = unused[best];
    if (!near) continue;
    unused.splice(best, 1);
    const cols = columns.flatMap((c, i) =>
      near[i] === r[i] ? [] : [`${c} ${fmt(near[i])} instead of ${fmt(r[i])}`],
    );
    lines.push(`    ~ the closest produced row has ${cols.join(", ")}`);
  }
  if (diff.unexpected.length > 0) {
    lines.push("produced, not expected:");
    for (const r of diff.unexpected) lines.push(`  + ${show(columns, r)}`);
  }
  return lines;
}

const fmt = (v: string | null | undefined) => (v === null || v === undefined ? "NULL" : JSON.stringify(v));
