-- The load ledger: one row per window per extract call (retries inside the call are counted in
-- `attempts`). Written 'running' before the download, finished in the landing transaction, or
-- marked 'failed'. A row left 'running' by a killed process is marked failed by the next extract.
-- Landed rows drive resumption (covered windows are skipped) and the incremental watermark.
CREATE TABLE IF NOT EXISTS elt.loads (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  window_start timestamp NOT NULL,
  window_end   timestamp NOT NULL,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'landed', 'failed')),
  http_status  integer,
  records      bigint NOT NULL DEFAULT 0,
  inserted     bigint NOT NULL DEFAULT 0,
  duplicates   bigint NOT NULL DEFAULT 0,
  bytes        bigint NOT NULL DEFAULT 0,
  first_raw_id bigint,
  last_raw_id  bigint,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  ms           integer,
  attempts     integer NOT NULL DEFAULT 0,
  forced       boolean NOT NULL DEFAULT false,
  error        text,
  pid          integer
);
CREATE INDEX IF NOT EXISTS loads_landed_window_idx ON elt.loads (window_end, window_start) WHERE status = 'landed';
CREATE INDEX IF NOT EXISTS loads_started_at_idx ON elt.loads (started_at DESC);
