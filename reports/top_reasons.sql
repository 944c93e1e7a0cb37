-- The email's most frequent quarantine reasons: of the run's records when it landed some, else of
-- those landed for its window, else of its days (a standalone `elt export email`).
-- Parameters: :first_seq, :last_seq, :window_start, :window_end (NULL when unknown), :days (text[]).
SELECT coalesce(q.reason, '(none)') AS reason, count(*)::int AS count
FROM {{ref "lms_grade_quarantine"}} AS q
JOIN {{source "raw" "api_attempts"}} AS a ON a.id = q.raw_id
WHERE CASE
  WHEN :first_seq::bigint IS NOT NULL THEN a.seq BETWEEN :first_seq::bigint AND :last_seq::bigint
  WHEN :window_start::timestamp IS NOT NULL
    THEN a.window_start < :window_end::timestamp AND a.window_end > :window_start::timestamp
  ELSE left(q.record ->> 'created_at', 10) = ANY(:days::text[])
END
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT 5
