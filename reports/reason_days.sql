-- The quarantine's reasons per day, with all the records of each day, for the email's quarantine
-- spikes (a reason far above its usual share). A record's day is its created_at's; one without a
-- readable created_at counts on the day it landed. A day's records are its attempts in the exported
-- summary plus its quarantined ones; a day with none quarantined has one row with a NULL reason.
-- Parameters: :from, :to (days, inclusive).
WITH q AS (
  SELECT
    coalesce(elt.parse_api_timestamp(created_at_text)::date, (landed_at AT TIME ZONE 'UTC')::date) AS day,
    reason
  FROM {{ref "lms_grade_quarantine"}}
),
reasons AS (
  SELECT day, reason, count(*)::int AS count
  FROM q
  WHERE day BETWEEN :from::date AND :to::date
  GROUP BY 1, 2
),
good AS (
  SELECT day, attempts::int AS attempts
  FROM {{ref "daily_summary"}}
  WHERE day BETWEEN :from::date AND :to::date
),
days AS (
  SELECT day FROM good
  UNION
  SELECT day FROM reasons
)
SELECT
  d.day::text AS day,
  r.reason,
  coalesce(r.count, 0) AS count,
  (coalesce(g.attempts, 0) + coalesce((SELECT sum(x.count) FROM reasons AS x WHERE x.day = d.day), 0))::int
    AS total
FROM days AS d
LEFT JOIN good AS g ON g.day = d.day
LEFT JOIN reasons AS r ON r.day = d.day
ORDER BY 1, 2
