import type { Queryable } from "../db/database.ts";
import type { LandingSettings } from "./landing-settings.ts";

/**
 * The least and greatest record time (`->>` of extract.record_time) of some keyed records. Only real
 * API times (is-api-time.ts) go into spans: ASCII, so JavaScript's string order is the byte order
 * (collation "C") migration 0110 used.
 */
export interface KeyTimeSpan {
  min: string;
  max: string;
}

/** The span of `span` and `time` together. */
export function widen(span: KeyTimeSpan | undefined, time: string): KeyTimeSpan {
  if (span === undefined) return { min: time, max: time };
  if (time < span.min) span.min = time;
  else if (time > span.max) span.max = time;
  return span;
}

/** The span of both (either may be undefined: no times). */
export function union(a: KeyTimeSpan | undefined, b: KeyTimeSpan | undefined): KeyTimeSpan | undefined {
  if (a === undefined || b === undefined) return a ?? (b && { ...b });
  return widen(widen(a, b.min), b.max);
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
    return span !== undefined && this.known.some((s) => s.min <= span.max && span.min <= s.max);
  }

  /** Records whose keyed ones have times in `span` are stored now. */
  add(span: KeyTimeSpan | undefined): void {
    if (span !== undefined) this.known.push({ ...span });
  }
}
