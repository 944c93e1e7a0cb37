// Backslash, newline, carriage return, tab: the characters COPY text format treats specially.
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
// A JSON `\u0000` not itself escaped (`\\u0000` is the text "\u0000", which is fine).
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One value as a line of COPY text format (one column). JSON escapes carry backslashes, which COPY
 * would otherwise read as its own escapes; raw newlines and tabs (pretty-printed JSON) would end
 * the line or the column.
 * PostgreSQL text (and so jsonb) cannot hold U+0000: one such record would fail its whole window
 * forever, so a NUL escape becomes U+FFFD, the one change landing ever makes to a record.
 */
export function copyTextLine(json: string): string {
  const value = json.includes("\\u0000") ? json.replace(NUL_ESCAPE, "$1\\ufffd") : json;
  return `${COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => ESCAPES[c] as string) : value}\n`;
}
