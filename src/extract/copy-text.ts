import { storedJson } from "./stored-json.ts";

// Backslash, newline, carriage return, tab: the characters COPY text format treats specially.
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One value as a line of COPY text format (one column), as it is stored (storedJson). JSON escapes
 * carry backslashes, which COPY would otherwise read as its own escapes; raw newlines and tabs
 * (pretty-printed JSON) would end the line or the column. Landing itself sends binary COPY; the
 * benchmarks' `\copy` baseline reads this.
 */
export function copyTextLine(json: string): string {
  const value = storedJson(json);
  return `${COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => ESCAPES[c] as string) : value}\n`;
}
