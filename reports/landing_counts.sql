-- Where each record a run landed (or had re-sent) went, so landed = loaded + quarantined + duplicates
-- can be checked: a record is either rejected (staging's reject_reason: what lms_grade_quarantine
-- holds) or good, and the good ones count once per grade key (user_id, created_at). Read from the
-- typed staging table, which the build has just brought up to raw's last seq (one row per landed
-- record, _seq its latest sending), so nothing is parsed again just to count; grouped by key once
-- (a hash aggregate), since a count(DISTINCT) of a row value sorts every record. One row; each
-- column becomes a count of the run.
-- Parameters: :first_seq, :last_seq (the raw.api_attempts seqs the run wrote; NULL when none).
SELECT
  coalesce(sum(n), 0)::int AS landed,
  (count(*) FILTER (WHERE good))::int AS loaded,
  coalesce(sum(n) FILTER (WHERE NOT good), 0)::int AS quarantined,
  coalesce(sum(n) FILTER (WHERE good) - count(*) FILTER (WHERE good), 0)::int AS duplicates
FROM (
  SELECT s.reject_reason IS NULL AS good, s.user_id, s.created_at, count(*) AS n
  FROM {{ref "stg_attempts"}} AS s
  WHERE s._seq BETWEEN :first_seq::bigint AND :last_seq::bigint
  GROUP BY 1, 2, 3
) AS k
