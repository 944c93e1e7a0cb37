-- A run never carries a grade: rows of lms_grade_statistics where a run has is_correct set.
SELECT user_id, created_at, attempt_type, is_correct
FROM {{ref "lms_grade_statistics"}}
WHERE attempt_type = 'run' AND is_correct IS NOT NULL
