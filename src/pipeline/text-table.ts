/** Rows as aligned plain-text columns under a header and a rule; trailing blanks trimmed. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = "",
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `${indent}${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
