/**
 * Rows as aligned plain-text columns within `width` characters: the first column left-aligned (cut
 * with "…" when the rest would not fit), the others right-aligned, two spaces apart.
 */
export function textGrid(rows: readonly (readonly string[])[], width: number): string[] {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? "").length)));
  const rest = widths.slice(1).reduce((s, w) => s + w + 2, 0);
  const first = Math.max(8, Math.min(widths[0] ?? 0, width - rest));
  return rows.map((r) =>
    r
      .map((c, i) => {
        if (i > 0) return c.padStart(widths[i] ?? 0);
        return c.length > first ? `${c.slice(0, first - 1)}…` : c.padEnd(first);
      })
      .join("  ")
      .trimEnd(),
  );
}

/** Split `items` into the fewest runs of at most `size`, as even as can be, the longer ones last. */
export function evenChunks<T>(items: readonly T[], size: number): T[][] {
  if (items.length === 0) return [];
  const count = Math.ceil(items.length / size);
  const base = Math.floor(items.length / count);
  const longer = items.length % count;
  const out: T[][] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = base + (i >= count - longer ? 1 : 0);
    out.push(items.slice(at, at + len));
    at += len;
  }
  return out;
}
