import { createHash } from "node:crypto";
import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { errorMessage } from "../errors.ts";
import type { TimeWindow } from "./load-ledger.ts";

export type RejectReason = "not_an_object" | "invalid_utf8" | "unstorable";

/** An element of an answer that could not land as a record (raw.api_rejects). */
export interface Reject {
  /** 0-based index of the element in the answer. */
  position: number;
  reason: RejectReason;
  sqlstate?: string;
  error: string;
  /** The element's text, capped at TEXT_CAP characters, NUL shown as U+FFFD; md5 is of the whole text. */
  text: string;
  length: number;
  md5: string;
}

/** Enough to read and recognise the record; a 100k-character element is not kept whole. */
export const TEXT_CAP = 10_000;

/** A reject from the element's text and the reason (an error from PostgreSQL, or a message). */
export function rejectOf(position: number, text: string, reason: RejectReason, error: unknown): Reject {
  const e = error as { code?: unknown; detail?: unknown };
  const detail = typeof e?.detail === "string" && e.detail ? ` (${e.detail})` : "";
  return {
    position,
    reason,
    ...(typeof e?.code === "string" ? { sqlstate: e.code } : {}),
    error: `${typeof error === "string" ? error : errorMessage(error)}${detail}`.slice(0, 1000),
    // PostgreSQL text cannot hold U+0000 (a raw NUL byte in a body): shown as U+FFFD.
    text: (text.length > TEXT_CAP ? text.slice(0, TEXT_CAP) : text).replaceAll("\0", "\uFFFD"),
    length: text.length,
    md5: createHash("md5").update(text).digest("hex"),
  };
}

/**
 * Records rejects, one row per distinct text: an element sent again (a re-fetch, a junk answer
 * repeated) counts in times_seen and last_load_id instead of a new row.
 */
export async function writeRejects(
  tx: Queryable,
  meta: { loadId: number; window: TimeWindow },
  rejects: readonly Reject[],
): Promise<void> {
  // ON CONFLICT cannot touch one row twice in a statement: repeats are folded first.
  const distinct = new Map<string, { reject: Reject; times: number }>();
  for (const r of rejects) {
    const seen = distinct.get(r.md5);
    if (seen) seen.times++;
    else distinct.set(r.md5, { reject: r, times: 1 });
  }
  const rows = [...distinct.values()];
  const col = <T>(f: (r: Reject) => T) => rows.map(({ reject }) => f(reject));
  await tx.query(
    `INSERT INTO raw.api_rejects (load_id, last_load_id, window_start, window_end, position, reason, sqlstate,
                                  error, text, text_length, text_md5, times_seen)
     SELECT $1, $1, $2::timestamp, $3::timestamp, u.position, u.reason, u.sqlstate, u.error, u.text, u.length,
            u.md5, u.times
       FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],
                   $11::int[]) AS u(position, reason, sqlstate, error, text, length, md5, times)
     ON CONFLICT (text_md5) DO UPDATE SET times_seen = raw.api_rejects.times_seen + EXCLUDED.times_seen,
       last_load_id = EXCLUDED.last_load_id, last_seen_at = now()`,
    [
      meta.loadId,
      utcTimestampText(meta.window.start),
      utcTimestampText(meta.window.end),
      col((r) => r.position),
      col((r) => r.reason),
      col((r) => r.sqlstate ?? null),
      col((r) => r.error),
      col((r) => r.text),
      col((r) => r.length),
      col((r) => r.md5),
      rows.map((r) => r.times),
    ],
  );
}
