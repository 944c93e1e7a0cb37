/**
 * Python's repr of str and of a flat dict, as the vendor's API prints passback_params: single quotes,
 * double quotes when the text holds a single quote and no double quote, backslash escapes otherwise.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const SPECIAL = /[\\'\x00-\x1f\x7f]/;

export function pythonStringRepr(text: string): string {
  // Fast path: nothing to escape and no apostrophe (almost every string the simulator prints).
  if (!SPECIAL.test(text)) return `'${text}'`;
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

export type PythonValue = string | number | boolean | null;

export function pythonValueRepr(value: PythonValue): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  return pythonStringRepr(value);
}

/** `{'a': 'x', 'b': None}`: insertion order, like a Python 3.7+ dict. */
export function pythonDictRepr(entries: Record<string, PythonValue>): string {
  const parts = Object.entries(entries).map(([k, v]) => `${pythonStringRepr(k)}: ${pythonValueRepr(v)}`);
  return `{${parts.join(", ")}}`;
}
