// A JSON `\u0000` not itself escaped (`\\u0000` is the text "\u0000", which is fine).
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * An element's text as it is stored: PostgreSQL text (and so jsonb) cannot hold U+0000, and one such
 * record would fail its whole window forever, so a NUL escape becomes U+FFFD, the one change landing
 * ever makes to a record. Its hash and key are computed from what is stored.
 */
export function storedJson(json: string): string {
  return json.includes("\\u0000") ? json.replace(NUL_ESCAPE, "$1\\ufffd") : json;
}

const NUL = Buffer.from("\\u0000");

/** storedJson for an element's UTF-8 bytes: the same bytes unless it holds a NUL escape. */
export function storedBytes(element: Buffer): Buffer {
  // Most records hold no backslash at all: one memchr decides.
  if (element.indexOf(92 /* \ */) < 0 || !element.includes(NUL)) return element;
  return Buffer.from(storedJson(element.toString("utf8")));
}
