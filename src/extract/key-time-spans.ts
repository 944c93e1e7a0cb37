import type { Queryable } from "../db/database.ts";
import type { LandingSettings } from "./landing-settings.ts";

/** The least and greatest record time (`->>` of extract.record_time) of some keyed records. */
export interface KeyTimeSpan {
  min: string;
  max: string;
}

/** Text order by UTF-8 bytes (PostgreSQL's "C" collation): code units, with surrogates above U+FFFF. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // a surrogate: a code point past U+FFFF
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** The span of `span` and `time` together. */
export function widen(span: KeyTimeSpan | undefined, time: string): KeyTimeSpan {
  if (span === undefined) return { min: time, max: time };
  if (compareUtf8(time, span.min) < 0) span.min = time;
  else if (compareUtf8(time, span.max) > 0) span.max = time;
  return span;
}

/**
 * Where landed attempts' keys can be, by record time (migration 0110): an attempt key holds the
 * record time, so a record whose time lies outside every other load's span (and outside what this
 * landing already stored) is no version of a landed attempt. Unknown spans (loads from before the
 * spans, or keyed by another field) and a key without the time field make every chunk a candidate.
 */
export class KeyTimeSpans {
  private constructor(
    private readonly known: KeyTimeSpan[],
    private readonly unknown: boolean,
  ) {}

  /** The spans of every load but `loadId` that stored records. */
  static async load(tx: Queryable, loadId: number, settings: LandingSettings): Promise<KeyTimeSpans> {
    if (!settings.keyFields.includes(settings.timeField)) return new KeyTimeSpans([], true);
    const { rows } = await tx.query<{ field: string | null; min: string | null; max: string | null }>(
      `SELECT key_time_field AS field, key_time_min AS min, key_time_max AS max
         FROM elt.loads WHERE inserted > 0 AND id <> $1`,
      [loadId],
    );
    const known: KeyTimeSpan[] = [];
    let unknown = false;
    for (const r of rows) {
      if (r.field !== settings.timeField) unknown = true;
      else if (r.min !== null && r.max !== null) known.push({ min: r.min, max: r.max });
    }
    return new KeyTimeSpans(known, unknown);
  }

  /**
   * Whether records whose keyed ones have times in `span` (undefined: none has a key) may share a key
   * with a stored record.
   */
  meets(span: KeyTimeSpan | undefined): boolean {
    if (this.unknown) return true;
    return (
      span !== undefined &&
      this.known.some((s) => compareUtf8(s.min, span.max) <= 0 && compareUtf8(span.min, s.max) <= 0)
    );
  }

  /** Records whose keyed ones have times in `span` are stored now. */
  add(span: KeyTimeSpan | undefined): void {
    if (span !== undefined) this.known.push({ ...span });
  }
}
