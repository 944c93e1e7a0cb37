-- Nothing dropped silently: every record of the latest load is either quarantined or its key is in
-- lms_grade_statistics (as itself or as a later landed version). Only the latest load, so the test
-- costs what one load costs, not the whole history.
SELECT s._raw_id, s.reject_reason, s.user_id, s.created_at
FROM {{ref "stg_attempts"}} AS s
WHERE s._load_id = (SELECT max(load_id) FROM {{source "raw" "api_attempts"}})
  AND CASE
    WHEN s.reject_reason IS NULL THEN NOT EXISTS (
      SELECT 1 FROM {{ref "lms_grade_statistics"}} AS g WHERE g.user_id = s.user_id AND g.created_at = s.created_at)
    ELSE NOT EXISTS (SELECT 1 FROM {{ref "lms_grade_quarantine"}} AS q WHERE q.raw_id = s._raw_id)
  END
