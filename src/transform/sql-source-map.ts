import { readMarkers } from "./line-markers.ts";

/** A source line: which file, which line (1-based), and its text to print. */
export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

/** A run of rendered SQL that came from one source line. */
export interface SqlSpan extends SourceLine {
  /** Offset in the rendered SQL where the run starts. */
  at: number;
  /** Source column (1-based) of the run's first character; unknown after a partial's output. */
  column?: number;
  /**
   * The run is the line's own text, so columns advance with it; otherwise it is what a helper or
   * partial rendered, and every character of it points at the column where that call starts.
   */
  verbatim: boolean;
}

/** Spans in order of `at`, covering the rendered SQL from offset 0. */
export type SqlSourceMap = readonly SqlSpan[];

export interface SourcePoint extends SourceLine {
  column?: number;
}

/** The file, line and (when known) column an offset of the rendered SQL came from. */
export function sourceAt(map: SqlSourceMap, offset: number): SourcePoint | undefined {
  let lo = 0;
  let hi = map.length - 1;
  let found: SqlSpan | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = map[mid] as SqlSpan;
    if (span.at <= offset) {
      found = span;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return undefined;
  const { file, line, text } = found;
  const column =
    found.column === undefined ? undefined : found.verbatim ? found.column + offset - found.at : found.column;
  return { file, line, text, ...(column !== undefined ? { column } : {}) };
}

function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i < max && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/**
 * The spans of one segment: what a source line rendered between two markers. The text it shares
 * with the line's start (when the segment starts the line) and with its end is verbatim; between
 * them is a helper's or partial's output. A segment that stops at a partial's output ends where
 * the line's first partial call after its start does (`{{> name}}`), when there is one.
 */
function segmentSpans(
  seg: string,
  at: number,
  src: SourceLine,
  fromLineStart: boolean,
  toLineEnd: boolean,
): SqlSpan[] {
  const nl = toLineEnd ? seg.lastIndexOf("\n") : -1;
  const body = nl >= 0 ? nl : seg.length;
  const p = fromLineStart ? commonPrefix(seg, src.text, Math.min(body, src.text.length)) : 0;
  const call = toLineEnd ? -1 : src.text.slice(p).search(/\{\{~?>/);
  const width = toLineEnd ? src.text.length : call >= 0 ? p + call : undefined;
  const s =
    width === undefined
      ? 0
      : commonSuffix(seg.slice(0, body), src.text.slice(0, width), Math.min(body - p, width - p));
  const spans: SqlSpan[] = [];
  if (p > 0) spans.push({ ...src, at, column: 1, verbatim: true });
  if (p < body - s)
    spans.push({ ...src, at: at + p, ...(fromLineStart ? { column: p + 1 } : {}), verbatim: false });
  // The segment's verbatim end, with the line's newline (in the column after the last character).
  if (width !== undefined && body - s < seg.length)
    spans.push({ ...src, at: at + body - s, column: width - s + 1, verbatim: true });
  return spans;
}

/**
 * The map of `expected` (the real rendering) from the same template rendered with line markers
 * (line-markers.ts), or undefined when the marked rendering, markers removed, is not `expected`.
 * `resolve` names the source line of a marker (its slot and 0-based line).
 */
export function buildSqlSourceMap(
  marked: string,
  expected: string,
  resolve: (slot: number, line: number) => SourceLine,
): SqlSourceMap | undefined {
  const { text, events } = readMarkers(marked);
  if (text !== expected) return undefined;
  const spans: SqlSpan[] = [];
  const callers: (SourceLine | undefined)[] = [];
  let current: SourceLine | undefined;
  let fromLineStart = false;
  for (const [i, e] of events.entries()) {
    if (e.kind === "line") {
      current = resolve(e.slot, e.line);
      fromLineStart = true;
    } else if (e.kind === "start") {
      callers.push(current);
      fromLineStart = false;
    } else {
      // Back in the calling line, after the partial's output: only its end can be matched.
      current = callers.pop();
      fromLineStart = false;
    }
    const next = events[i + 1];
    const end = next ? next.at : text.length;
    if (!current || end <= e.at) continue;
    spans.push(...segmentSpans(text.slice(e.at, end), e.at, current, fromLineStart, next?.kind !== "start"));
  }
  return spans;
}
