/**
 * The sheet's last-updated note (on cell A1): when the figures were written and by which run, so a
 * person reading the sheet can find that run with `elt status --run N`.
 */
export function sheetNote(options: {
  at: Date;
  runId?: number | undefined;
  days: readonly string[];
  locale: "ru" | "en";
}): string {
  const at = `${options.at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const days = options.days.join(", ");
  if (options.locale === "en") {
    const by = options.runId !== undefined ? `elt run ${options.runId}` : "elt export";
    return `Updated ${at} by ${by}${days ? ` (days ${days})` : ""}. elt status${options.runId !== undefined ? ` --run ${options.runId}` : ""} shows it.`;
  }
  const by = options.runId !== undefined ? `запуск elt run ${options.runId}` : "elt export";
  return `Обновлено ${at}, ${by}${days ? ` (дни ${days})` : ""}. Подробности: elt status${options.runId !== undefined ? ` --run ${options.runId}` : ""}.`;
}
