import type { ExtractResult } from "../extract/extract.ts";
import type { TimeWindow } from "../extract/load-ledger.ts";
import { windowLabel } from "../extract/window-label.ts";
import { notice, type RunWarning } from "./notice.ts";
import type { RunCounts } from "./run-ledger.ts";

/** The extract's figures the ledger and the email show (zero ones left out, but for windows). */
export function extractCounts(r: ExtractResult): RunCounts {
  const counts: RunCounts = { windows: r.windows };
  if (r.suspectWindows > 0) counts.suspect_windows = r.suspectWindows;
  if (r.givenUp.length > 0) counts.incomplete_windows = r.givenUp.length;
  if (r.rejected > 0) counts.rejected = r.rejected;
  if (r.outside > 0) counts.outside_window = r.outside;
  if (r.conflicts > 0) counts.conflicts = r.conflicts;
  if (r.resent > 0) counts.resent = r.resent;
  return counts;
}

/** A window for the email's words: its start and end as ISO moments, which it writes in its locale. */
const windowValues = (w: TimeWindow) => ({
  window: windowLabel(w),
  from: w.start,
  to: w.end,
});

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * One line per thing a person should know about what the API sent: suspect and given-up windows,
 * rejected elements (the first few named), records outside their window, conflicting re-sends.
 */
export function landingWarnings(r: ExtractResult): RunWarning[] {
  const out: RunWarning[] = [];
  for (const w of r.notable) {
    const label = windowLabel(w.window);
    const window = windowValues(w.window);
    if (w.suspect !== undefined) {
      out.push(
        w.status === "suspect"
          ? notice(
              "window_suspect",
              `window ${label} looks incomplete (${w.suspect}); its records landed and the next runs fetch it again`,
              window,
              w.suspect,
            )
          : notice(
              "window_accepted",
              `window ${label} looked incomplete (${w.suspect}) and was accepted as landed`,
              window,
              w.suspect,
            ),
      );
    }
    if (w.rejected > 0) {
      const named = w.rejects
        .map((x) => `element ${x.position}: ${x.reason}${x.sqlstate ? ` ${x.sqlstate}` : ""}, ${x.error}`)
        .join("; ");
      const more = w.rejected > w.rejects.length ? `; ${w.rejected - w.rejects.length} more` : "";
      out.push(
        notice(
          "rejected",
          `window ${label}: ${plural(w.rejected, "element")} rejected, the rest landed (${named}${more}); see raw.api_rejects`,
          { ...window, n: w.rejected },
          `${named}${more}`,
        ),
      );
    }
    if (w.outside > 0) {
      out.push(
        notice(
          "outside_window",
          `window ${label}: the API sent ${plural(w.outside, "record")} from outside the window (landed)`,
          { ...window, n: w.outside },
        ),
      );
    }
    if (w.conflicts > 0) {
      out.push(
        notice(
          "conflicts",
          `window ${label}: ${plural(w.conflicts, "attempt")} re-sent with different content; the latest sending wins (see the conflicts model)`,
          { ...window, n: w.conflicts },
        ),
      );
    }
  }
  for (const g of r.givenUp) {
    const label = windowLabel(g.window);
    out.push(
      notice(
        "given_up",
        `window ${label} is still incomplete after ${plural(g.fetches, "answer")} (${g.reason}); runs no longer fetch it by themselves: fetch it with \`elt run --start … --end …\`, or add --accept-incomplete if the day really was that quiet`,
        { ...windowValues(g.window), n: g.fetches },
        g.reason,
      ),
    );
  }
  return out;
}
