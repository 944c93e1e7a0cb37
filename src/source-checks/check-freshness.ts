import format from "pg-format";
import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import type { LoadSeqs } from "./load-shape.ts";
import type { SourceCheckResult } from "./source-check.ts";
import type { FreshnessSettings } from "./source-check-config.ts";

const HOUR_MS = 3_600_000;

/** Earlier loads read besides the run's own, newest windows first (a silent source lands none). */
const EARLIER_LOADS = 3;

/**
 * Freshness at `reference` (the end of the run's window, i.e. now): the newest time
 * (`loaded_at_field`, parsed by elt.parse_api_timestamp as the models parse it) among the records
 * of this run's loads and of the few earlier loads with the latest windows that landed records, so
 * a source that sent nothing tonight is measured from what came before, at the cost of a few loads,
 * not the history. Times after the reference are ignored (a record from a wrong clock must not keep
 * the source fresh). Older than error_after → error, than warn_after → warn. Nothing landed: stale.
 */
export async function checkFreshness(
  db: Queryable,
  source: { schema: string; table: string; relation: string },
  settings: FreshnessSettings,
  loads: LoadSeqs[],
  reference: Date,
): Promise<SourceCheckResult> {
  const ref = utcTimestampText(reference);
  const { rows } = await db.query<{ newest: Date | null }>(
    format(
      `WITH ranges AS (
         SELECT f, l FROM unnest($1::bigint[], $2::bigint[]) AS r(f, l)
         UNION
         (SELECT first_seq, last_seq FROM elt.loads
           WHERE status IN ('landed', 'suspect') AND first_seq IS NOT NULL AND id <> ALL($3::bigint[])
             AND window_start <= $5::timestamp
           ORDER BY window_end DESC, id DESC LIMIT ${EARLIER_LOADS})
       )
       SELECT max(x.t) AS newest FROM ranges
        CROSS JOIN LATERAL (
          SELECT elt.parse_api_timestamp(record ->> $4) AS t FROM %I.%I WHERE seq BETWEEN ranges.f AND ranges.l
        ) AS x
        WHERE x.t <= $5::timestamp`,
      source.schema,
      source.table,
    ),
    [loads.map((l) => l.firstSeq), loads.map((l) => l.lastSeq), loads.map((l) => l.id), settings.field, ref],
  );
  const newest = rows[0]?.newest ?? undefined;
  const ageHours = newest ? (reference.getTime() - newest.getTime()) / HOUR_MS : undefined;
  const { warnAfterHours: warn, errorAfterHours: error } = settings;
  const over = (limit: number | undefined) =>
    limit !== undefined && (ageHours === undefined || ageHours > limit);
  const status = over(error) ? "error" : over(warn) ? "warn" : "pass";
  const age = ageHours === undefined ? "" : `${Number(ageHours.toFixed(1))} h`;
  const limit = status === "error" ? error : warn;
  const message =
    status === "pass"
      ? `newest ${settings.field} ${utcTimestampText(newest as Date).slice(0, 19)} (${age} old)`
      : newest
        ? `stale: newest ${settings.field} landed is ${utcTimestampText(newest).slice(0, 19)}, ${age} old (over ${limit} h)`
        : `stale: no record with a ${settings.field} landed yet`;
  return {
    source: source.relation,
    check: "freshness",
    severity: error !== undefined ? "error" : "warn",
    status,
    message,
    detail: {
      field: settings.field,
      newest: newest ? utcTimestampText(newest) : null,
      reference: utcTimestampText(reference),
      age_hours: ageHours === undefined ? null : Number(ageHours.toFixed(2)),
      warn_after_hours: warn ?? null,
      error_after_hours: error ?? null,
    },
  };
}
