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
