import type { Queryable } from "../../src/db/database.ts";
import { utcTimestampText } from "../../src/db/type-parsers.ts";
import { DAY_MS } from "./dataset.ts";

const COURSES = [
  "SkillFactory+DST-3.0+28FEB2021",
  "SkillFactory+PY-2.0+15MAR2022",
  "SkillFactory+SQL-1.0+10JAN2023",
  "SkillFactory+DA-4.0+01SEP2024",
];

/**
 * Landed history made by set-based SQL instead of through the API: `perDay` records a day for
 * [start, end), in the simulator's shape (a 32-hex user id, a Python-literal passback_params,
 * runs and submits, microsecond timestamps spread over the day, unique per user; 0.5% with a
 * passback_params cut in half, as the simulator breaks records, so the quarantine has history too),
 * one landed load per chunk of days in elt.loads. About 10M rows take minutes, where the API path would take hours.
 */
export async function insertHistory(
  db: Queryable,
  o: { start: Date; end: Date; perDay: number; users: number; chunkDays?: number },
  onChunk?: (daysDone: number, days: number) => void,
): Promise<number> {
  const days = Math.round((o.end.getTime() - o.start.getTime()) / DAY_MS);
  const chunk = o.chunkDays ?? 30;
  let rows = 0;
  for (let first = 0; first < days; first += chunk) {
    const from = new Date(o.start.getTime() + first * DAY_MS);
    const to = new Date(o.start.getTime() + Math.min(days, first + chunk) * DAY_MS);
    const { rows: load } = await db.query<{ id: number }>(
      `INSERT INTO elt.loads (window_start, window_end, status, finished_at, ms)
       VALUES ($1, $2, 'landed', now(), 0) RETURNING id`,
      [utcTimestampText(from), utcTimestampText(to)],
    );
    const loadId = (load[0] as { id: number }).id;
    const result = await db.query(
      `WITH gen AS (
         SELECT d, g, abs(hashtext(d::text || ':' || g)) AS h
         FROM generate_series($2::timestamp, $3::timestamp - interval '1 day', interval '1 day') AS d,
              generate_series(0, $4::int - 1) AS g
       ), shaped AS (
         SELECT d, g, h,
           md5('user' || (h % $5::int)) AS uid,
           ($6::text[])[1 + h % 4] AS course,
           md5('block' || (h % 4) || ':' || ((h / 4) % 20)) AS block,
           (h / 97) % 100 < 42 AS submit
         FROM gen
       ), recs AS (
         SELECT d, jsonb_build_object(
           'lti_user_id', uid,
           'passback_params', (SELECT CASE WHEN h % 200 = 0 THEN left(pp, length(pp) / 2) ELSE pp END FROM format(
             '{''oauth_consumer_key'': '''', ''lis_result_sourcedid'': ''course-v1:%s:lms.skillfactory.ru-%s:%s'', ''lis_outcome_service_url'': ''https://lms.skillfactory.ru/courses/course-v1:%s/xblock/block-v1:%s+type@lti+block@%s/handler_noauth/grade_handler''}',
             course, block, uid, course, course, block) AS pp),
           'is_correct', CASE WHEN submit THEN ((h / 7) % 3 = 0)::int END,
           'attempt_type', CASE WHEN submit THEN 'submit' ELSE 'run' END,
           'created_at', to_char(d + make_interval(secs => (g * 86400.0 / $4::int) + (h % 1000) / 1e6),
                                 'YYYY-MM-DD HH24:MI:SS.US')
         ) AS r
         FROM shaped
       )
       INSERT INTO raw.api_attempts (load_id, record, record_hash, window_start, window_end)
       SELECT $1, r, md5(r::text), d, d + interval '1 day' FROM recs ORDER BY d`,
      [loadId, utcTimestampText(from), utcTimestampText(to), o.perDay, o.users, COURSES],
    );
    await db.query(
      `UPDATE elt.loads SET records = $2, inserted = $2,
         first_raw_id = (SELECT min(id) FROM raw.api_attempts WHERE load_id = $1),
         last_raw_id = (SELECT max(id) FROM raw.api_attempts WHERE load_id = $1)
       WHERE id = $1`,
      [loadId, result.rowCount],
    );
    rows += result.rowCount;
    onChunk?.(Math.min(days, first + chunk), days);
  }
  return rows;
}
