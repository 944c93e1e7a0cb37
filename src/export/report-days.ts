import type { RunReport } from "./run-report.ts";

const DAY_MS = 86_400_000;
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** Which of a run's days the report shows as what. */
export interface ReportDays {
  /** The day the report is about (see reportDay). */
  day: string;
  /**
   * The window's last day when the window ends before that day does (a 02:15 run fetches two hours
   * of today): never shown as if complete. Left out when it comes after the report day; marked
   * when it is the report day itself (a window inside one day).
   */
  partial?: { day: string; until: Date };
  /** The run's days up to and including the report day, oldest first. */
  through: string[];
}

/**
 * The day a report is about: the last day the run's window covers completely (a 02:15 cron run
 * reports yesterday, not the two hours of today it also fetched); else the last day it touched.
 */
export function reportDay(report: RunReport): string | undefined {
  const end = report.window?.end.getTime();
  const complete = end === undefined ? [] : report.days.filter((d) => dayStart(d) + DAY_MS <= end);
  return complete.at(-1) ?? report.days.at(-1);
}

/** The report day, the partial day if any, and the days the report may show (none after the report day). */
export function reportDays(report: RunReport, day: string): ReportDays {
  const last = report.days.at(-1);
  const end = report.window?.end;
  const partial =
    last !== undefined && end !== undefined && end.getTime() < dayStart(last) + DAY_MS && last >= day
      ? { day: last, until: end }
      : undefined;
  return { day, ...(partial ? { partial } : {}), through: report.days.filter((d) => d <= day) };
}
