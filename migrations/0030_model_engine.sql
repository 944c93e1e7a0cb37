-- The model engine's state (issue 4): one row per model build, the incremental watermarks, and
-- one row per data test run. Written by src/transform; read by `elt status` and people.
CREATE TABLE IF NOT EXISTS elt.model_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invocation_id text NOT NULL,
  model         text NOT NULL,
  relation      text NOT NULL,
  materialized  text NOT NULL,
  mode          text CHECK (mode IN ('full', 'incremental')),
  status        text NOT NULL CHECK (status IN ('success', 'failed', 'skipped')),
  rows          bigint,
  ms            integer NOT NULL,
  error         text,
  finished_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS model_runs_model_idx ON elt.model_runs (model, finished_at DESC);

-- Highest value of a model's `watermark:` column merged so far; `{{watermark}}` reads it.
-- Written in the model's own transaction, so it never runs ahead of the data.
CREATE TABLE IF NOT EXISTS elt.model_state (
  model      text PRIMARY KEY,
  watermark  bigint,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS elt.test_results (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invocation_id text NOT NULL,
  name          text NOT NULL,
  model         text,
  severity      text NOT NULL CHECK (severity IN ('error', 'warn')),
  status        text NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
  failures      bigint NOT NULL DEFAULT 0,
  sample        jsonb NOT NULL DEFAULT '[]'::jsonb,
  ms            integer NOT NULL,
  error         text,
  finished_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS test_results_name_idx ON elt.test_results (name, finished_at DESC);
