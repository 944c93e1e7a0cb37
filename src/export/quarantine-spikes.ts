import { addDays } from "./add-days.ts";
import { BASELINE_DAYS } from "./headline.ts";

/** A day's quarantined records of one reason, and all the records of that day (exports.report.reason_days). */
export interface ReasonDay {
  day: string;
  /** null on a day without quarantined records (its total still counts). */
  reason: string | null;
  count: number;
  total: number;
}

export interface QuarantineSpike {
  reason: string;
  count: number;
  /** The reason's share of the report day's records, and of the trailing days' records. */
  share: number;
  usual: number;
}

/** A spike is a reason at least this many times its usual share of the records… */
export const SPIKE_RATIO = 3;
/** …with at least this many records that day (a handful is noise, however rare the reason)… */
export const SPIKE_MIN_COUNT = 10;
/** …and at least this much more of the day's records (0.01 % → 0.05 % is no news). */
export const SPIKE_MIN_SHARE_GAIN = 0.002;
/** Fewer trailing days with records than this, and there is no usual share to compare with. */
export const SPIKE_MIN_DAYS = 3;

/**
 * The reasons "far above their usual share" on the report day: the usual share is the reason's
 * records over all records of the BASELINE_DAYS before it (pooled, so a reason that comes and goes
 * is judged by its average, not by its absence on most days); a reason never seen before is a spike
 * once it has SPIKE_MIN_COUNT records. Largest first.
 */
export function quarantineSpikes(rows: readonly ReasonDay[], day: string): QuarantineSpike[] {
  const from = addDays(day, -BASELINE_DAYS);
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.day, r.total);
  const total = totals.get(day) ?? 0;
  const baseDays = [...totals].filter(([d, t]) => d >= from && d < day && t > 0);
  if (total === 0 || baseDays.length < SPIKE_MIN_DAYS) return [];
  const baseTotal = baseDays.reduce((s, [, t]) => s + t, 0);
  const baseCount = new Map<string, number>();
  for (const r of rows) {
    if (r.reason !== null && r.day >= from && r.day < day) {
      baseCount.set(r.reason, (baseCount.get(r.reason) ?? 0) + r.count);
    }
  }
  const spikes: QuarantineSpike[] = [];
  for (const r of rows) {
    if (r.day !== day || r.reason === null || r.count < SPIKE_MIN_COUNT) continue;
    const share = r.count / total;
    const usual = (baseCount.get(r.reason) ?? 0) / baseTotal;
    if (share >= SPIKE_RATIO * usual && share - usual >= SPIKE_MIN_SHARE_GAIN) {
      spikes.push({ reason: r.reason, count: r.count, share, usual });
    }
  }
  return spikes.sort((a, b) => b.count - a.count);
}
