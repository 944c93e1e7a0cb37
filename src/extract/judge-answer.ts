import type { ProjectConfig } from "../config/project-schema.ts";

export type PlausibilitySettings = ProjectConfig["extract"]["plausibility"];

/** What one answer held, as landing counted it. */
export interface AnswerCounts {
  /** Elements in the answer. */
  records: number;
  rejected: number;
  nonObjects: number;
  /** Records whose time lies outside the requested window. */
  outside: number;
  /** The window's length. */
  hours: number;
}

/** The usual volume near the window: the median records per hour of plausible windows nearby. */
export interface Baseline {
  perHour: number;
  windows: number;
}

export interface Verdict {
  /** Why the answer looks incomplete; absent when it is plausible. */
  suspect?: string;
  /** The records a window this long usually holds, when it was judged on its volume. */
  expected?: number;
  /** What is worth a WARN even when the answer is plausible. */
  warnings: string[];
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Whether an answer is plausible (pure). Suspect: a larger share of non-object elements than
 * `max_non_object_share` (an API answering `[1,2,3]`), or, for a window of at least `judge_hours`,
 * fewer records inside the window than `min_volume_ratio` of the usual volume for its length (an
 * empty or cut answer for a day that has data). Shorter windows vary too much by hour to judge;
 * without enough history nothing is judged on volume.
 */
export function judgeAnswer(
  c: AnswerCounts,
  baseline: Baseline | undefined,
  p: PlausibilitySettings,
): Verdict {
  const warnings: string[] = [];
  const records = c.records - c.rejected - c.outside;
  if (c.rejected > 0) {
    warnings.push(`${fmt(c.rejected)} element${c.rejected > 1 ? "s" : ""} rejected (raw.api_rejects)`);
  }
  if (c.outside > 0) {
    warnings.push(
      `${fmt(c.outside)} record${c.outside > 1 ? "s" : ""} outside the requested window (landed)`,
    );
  }
  if (c.records > 0 && c.nonObjects / c.records > p.max_non_object_share) {
    return {
      suspect: `${fmt(c.nonObjects)} of ${fmt(c.records)} elements are not JSON objects`,
      warnings,
    };
  }
  if (c.hours < p.judge_hours) return { warnings };
  if (!baseline || baseline.windows < p.min_history_windows) {
    if (records === 0) {
      warnings.push(`no records for ${Number(c.hours.toFixed(1))} h, and too little history to judge that`);
    }
    return { warnings };
  }
  const expected = baseline.perHour * c.hours;
  if (records < p.min_volume_ratio * expected) {
    return {
      suspect: `${fmt(records)} records for ${Number(c.hours.toFixed(1))} h, usually about ${fmt(expected)} (below ${Math.round(p.min_volume_ratio * 100)}%)`,
      expected: Math.round(expected),
      warnings,
    };
  }
  return { expected: Math.round(expected), warnings };
}
