import type { Messages } from "./messages.ts";

/**
 * The sheet's last-updated note (on cell A1): when the figures were written and by which run, so a
 * person reading the sheet can find that run with `elt status --run N`. Its words are the messages
 * file's `sheet_note_run` / `sheet_note`; the days stay ISO, as the sheet's date cells are.
 */
export function sheetNote(
  options: { at: Date; runId?: number | undefined; days: readonly string[] },
  messages: Messages,
): string {
  const at = `${options.at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const days = options.days.join(", ");
  return options.runId !== undefined
    ? messages.text("sheet_note_run", { at, run: String(options.runId), days })
    : messages.text("sheet_note", { at, days });
}
