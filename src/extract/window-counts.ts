/** What one answer (or an extract's answers together) held, counted as landing counts it. */
export interface WindowCounts {
  /** Elements in the answer(s). */
  records: number;
  /** Records new to raw.api_attempts. */
  inserted: number;
  /** Records landed before (or twice in one answer) that changed nothing. */
  duplicates: number;
  /** Records landed before that the API sent again after a different version: they win again. */
  resent: number;
  /** Elements that went to raw.api_rejects (not objects, not UTF-8, not storable). */
  rejected: number;
  nonObjects: number;
  /** Records outside the requested window (landed). */
  outside: number;
  /** Times an attempt arrived with content different from its latest version (raw.api_conflicts). */
  conflicts: number;
}

/** The counts of `from` alone (it may carry more). */
export function countsOf(from: WindowCounts): WindowCounts {
  const out = { ...ZERO_COUNTS };
  for (const k of COUNT_KEYS) out[k] = from[k];
  return out;
}

/** Adds `from`'s counts to `to`'s. */
export function addCounts(to: WindowCounts, from: WindowCounts): void {
  for (const k of COUNT_KEYS) to[k] += from[k];
}

export const ZERO_COUNTS: WindowCounts = {
  records: 0,
  inserted: 0,
  duplicates: 0,
  resent: 0,
  rejected: 0,
  nonObjects: 0,
  outside: 0,
  conflicts: 0,
};

const COUNT_KEYS = Object.keys(ZERO_COUNTS) as (keyof WindowCounts)[];
