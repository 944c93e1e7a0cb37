-- Write, audit, publish (docs/adr/0012-write-audit-publish.md) and one run id end to end.

-- Every ledger row says which `elt run` wrote it (NULL: a command run on its own, e.g. `elt model
-- build`). No foreign key: a row written while the run's own row could not be is still worth keeping.
ALTER TABLE elt.loads ADD COLUMN IF NOT EXISTS run_id bigint;
ALTER TABLE elt.model_runs ADD COLUMN IF NOT EXISTS run_id bigint;
ALTER TABLE elt.test_results ADD COLUMN IF NOT EXISTS run_id bigint;
CREATE INDEX IF NOT EXISTS loads_run_idx ON elt.loads (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS model_runs_run_idx ON elt.model_runs (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS test_results_run_idx ON elt.test_results (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS exports_run_idx ON elt.exports (run_id) WHERE run_id IS NOT NULL;

-- A build is published as a whole or not at all: whether this build's data became visible.
ALTER TABLE elt.model_runs ADD COLUMN IF NOT EXISTS published boolean;
-- Audits (tests run by a build, before it publishes) beside `elt test`'s checks: on what they ran.
ALTER TABLE elt.test_results ADD COLUMN IF NOT EXISTS scope text;
ALTER TABLE elt.test_results ADD COLUMN IF NOT EXISTS raw_ids bigint[];

-- A build plan checks a staged relation's columns against what the plan was made for (the published
-- table's columns, or the contract): a SELECT that changed must not merge into the wrong columns.
-- exact false: only that none of `expected` is missing (a watermark column the SELECT must have).
CREATE OR REPLACE FUNCTION elt.assert_columns(rel regclass, expected text[], what text, exact boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  actual text[];
  added text[];
  gone text[];
BEGIN
  SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO actual
    FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped;
  SELECT coalesce(array_agg(c), '{}') INTO added FROM unnest(actual) AS c WHERE exact AND c <> ALL (expected);
  SELECT coalesce(array_agg(c), '{}') INTO gone FROM unnest(expected) AS c WHERE c <> ALL (actual);
  IF cardinality(added) > 0 OR cardinality(gone) > 0 THEN
    RAISE EXCEPTION 'the SELECT does not match %: %', what,
      concat_ws('; ',
        CASE WHEN cardinality(added) > 0 THEN 'new: ' || array_to_string(added, ', ') END,
        CASE WHEN cardinality(gone) > 0 THEN 'gone: ' || array_to_string(gone, ', ') END)
      USING ERRCODE = 'data_exception';
  END IF;
END $$;

-- Column comments from the model's yml, for the columns the relation has (a plan does not know
-- the columns of a SELECT without a contract; documenting one it lacks is not an error).
CREATE OR REPLACE FUNCTION elt.comment_columns(rel regclass, comments jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT a.attname, comments ->> a.attname AS text
             FROM pg_attribute a
            WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND comments ? a.attname
  LOOP
    EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', rel, c.attname, c.text);
  END LOOP;
END $$;
