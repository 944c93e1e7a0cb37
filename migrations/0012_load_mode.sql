-- Which kind of extract wrote each load. Only 'incremental' loads (extract with no dates) move the
-- incremental watermark: an operator's backfill ahead of it must not make the nightly run skip the
-- days in between. Loads from before this column read as 'backfill' (they cannot be told apart).
ALTER TABLE elt.loads ADD COLUMN IF NOT EXISTS mode text NOT NULL DEFAULT 'backfill'
  CHECK (mode IN ('incremental', 'backfill'));
CREATE INDEX IF NOT EXISTS loads_incremental_idx ON elt.loads (status, window_start) WHERE mode = 'incremental';
