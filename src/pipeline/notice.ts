/**
 * Something a run tells the report's readers: `text` in English for the log and the ledger, and a
 * `code` with its `values` that the email words in its locale (templates/messages/<locale>.yml:
 * `warnings.<code>` with what to do, `stage_notes.<code>` for a stage's outcome). `detail` is the
 * engine's own technical words (a reject's error, a key's types), shown as they are.
 */
export interface Notice {
  code: string;
  text: string;
  /** Numbers and Dates are written in the email's locale; text as it is. */
  values?: Record<string, string | number | Date>;
  detail?: string;
}

/** A run's warning: the email lists them at the top, each with what to do. */
export type RunWarning = Notice;

export function notice(
  code: string,
  text: string,
  values?: Record<string, string | number | Date>,
  detail?: string,
): Notice {
  return {
    code,
    text,
    ...(values ? { values } : {}),
    ...(detail !== undefined && detail !== "" ? { detail } : {}),
  };
}
