-- Where each record a run landed (or had re-sent) went, so landed = loaded + quarantined + duplicates
-- can be checked: a record is either in the quarantine or good, and a good record's grade key is its
-- lti_user_id and created_at as staging reads them. Read from raw, not the staging view, so no
-- passback is parsed again just to count. One row; each column becomes a count of the run.
-- Parameters: :first_seq, :last_seq (the raw.api_attempts seqs the run wrote; NULL when none).
WITH r AS (
  SELECT r.record, q.raw_id AS quarantined_id
  FROM {{source "raw" "api_attempts"}} AS r
  LEFT JOIN {{ref "lms_grade_quarantine"}} AS q ON q.raw_id = r.id
  WHERE r.seq BETWEEN :first_seq::bigint AND :last_seq::bigint
),
c AS (
  SELECT
    count(*)::int AS landed,
    count(*) FILTER (WHERE quarantined_id IS NULL)::int AS good,
    count(DISTINCT (record ->> 'lti_user_id', elt.parse_api_timestamp(record ->> 'created_at')))
      FILTER (WHERE quarantined_id IS NULL)::int AS loaded,
    count(quarantined_id)::int AS quarantined
  FROM r
)
SELECT landed, loaded, quarantined, good - loaded AS duplicates FROM c
