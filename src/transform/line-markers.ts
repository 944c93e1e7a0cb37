/**
 * Invisible markers a template is rendered with a second time, so each character of the rendered
 * SQL can be traced to the file and line it came from (sql-source-map.ts). They are made of
 * Unicode space characters: Handlebars treats them as whitespace, so standalone `{{#if}}` lines,
 * `{{~` and partial indentation behave exactly as without them, and removing them gives back the
 * real rendering (checked: when it does not, there is no map, never a wrong one).
 */
const LINE = "\u3000";
const STOP = "\u200a";
const PARTIAL_START = "\u202f";
const PARTIAL_END = "\u1680";
/** Ten digits: EN QUAD … THIN SPACE. */
const DIGIT0 = 0x2000;

const MARKERS = /\u3000([\u2000-\u2009]*)\u200a([\u2000-\u2009]*)\u200a|\u202f|\u1680/g;

const encode = (n: number) => [...String(n)].map((d) => String.fromCharCode(DIGIT0 + Number(d))).join("");
const decode = (s: string) => Number([...s].map((c) => c.charCodeAt(0) - DIGIT0).join("") || "0");

/** `slot` names the file (0: the template being rendered, k: the k-th partial); lines count from 0. */
export function markLines(template: string, slot: number): string {
  const s = encode(slot);
  return template
    .split("\n")
    .map((line, i) => `${LINE}${s}${STOP}${encode(i)}${STOP}${line}`)
    .join("\n");
}

/** What a partial returns while marking: its output bracketed, so the caller's line resumes after it. */
export function bracketPartial(output: string): string {
  if (stripMarkers(output) === "") return "";
  let out = output;
  // Handlebars indents every line of an indented partial but an empty last one: markers alone on
  // the last line would make it non-empty, so they move before its newline.
  const nl = out.lastIndexOf("\n");
  const tail = out.slice(nl + 1);
  if (nl >= 0 && tail !== "" && stripMarkers(tail) === "") out = `${out.slice(0, nl)}${tail}\n`;
  return out.endsWith("\n")
    ? `${PARTIAL_START}${out.slice(0, -1)}${PARTIAL_END}\n`
    : `${PARTIAL_START}${out}${PARTIAL_END}`;
}

export const stripMarkers = (text: string): string => text.replace(MARKERS, "");

export type MarkerEvent =
  | { at: number; kind: "line"; slot: number; line: number }
  | { at: number; kind: "start" }
  | { at: number; kind: "end" };

/** The rendered text without markers, and where each marker stood in it. */
export function readMarkers(marked: string): { text: string; events: MarkerEvent[] } {
  const events: MarkerEvent[] = [];
  let text = "";
  let last = 0;
  for (const m of marked.matchAll(MARKERS)) {
    text += marked.slice(last, m.index);
    last = m.index + m[0].length;
    const at = text.length;
    if (m[0] === PARTIAL_START) events.push({ at, kind: "start" });
    else if (m[0] === PARTIAL_END) events.push({ at, kind: "end" });
    else events.push({ at, kind: "line", slot: decode(m[1] ?? ""), line: decode(m[2] ?? "") });
  }
  return { text: text + marked.slice(last), events };
}
