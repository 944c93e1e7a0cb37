import type { ExtractResult } from "../extract/extract.ts";
import { windowLabel } from "../extract/window-label.ts";
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

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * One line per thing a person should know about what the API sent: suspect and given-up windows,
 * rejected elements (the first few named), records outside their window, conflicting re-sends.
 */
export function landingWarnings(r: ExtractResult): string[] {
  const out: string[] = [];
  for (const w of r.notable) {
    const label = windowLabel(w.window);
    if (w.suspect !== undefined) {
      out.push(
        w.status === "suspect"
          ? `window ${label} looks incomplete (${w.suspect}); its records landed and the next runs fetch it again`
          : `window ${label} looked incomplete (${w.suspect}) and was accepted as landed`,
      );
    }
    if (w.rejected > 0) {
      const named = w.rejects
        .map((x) => `element ${x.position}: ${x.reason}${x.sqlstate ? ` ${x.sqlstate}` : ""}, ${x.error}`)
        .join("; ");
      const more = w.rejected > w.rejects.length ? `; ${w.rejected - w.rejects.length} more` : "";
      out.push(
        `window ${label}: ${plural(w.rejected, "element")} rejected, the rest landed (${named}${more}); see raw.api_rejects`,
      );
    }
    if (w.outside > 0) {
      out.push(
        `window ${label}: the API sent ${plural(w.outside, "record")} from outside the window (landed)`,
      );
    }
    if (w.conflicts > 0) {
      out.push(
        `window ${label}: ${plural(w.conflicts, "attempt")} re-sent with different content; the latest sending wins (see the conflicts model)`,
      );
    }
  }
  for (const g of r.givenUp) {
    out.push(
      `window ${windowLabel(g.window)} is still incomplete after ${plural(g.fetches, "answer")} (${g.reason}); runs no longer fetch it by themselves: fetch it with \`elt run --start … --end …\`, or add --accept-incomplete if the day really was that quiet`,
    );
  }
  return out;
}
