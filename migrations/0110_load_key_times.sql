-- Landing at COPY speed (docs/adr/0014-landing-at-copy-speed.md): which record times each load's keyed
-- records span. An attempt key holds the record time (extract.record_time), so a chunk of records
-- whose times no other load's span reaches cannot hold a new version of a landed attempt, and landing
-- skips looking its keys up. key_time_field: the field the span is of (NULL: not known, which makes
-- landing look keys up); key_time_min, key_time_max: the least and greatest `record ->> field` of the
-- load's records that have a key and a real time (elt.parse_api_timestamp reads it), in byte order;
-- NULL when none has. Keys with other times (2023-02-30 25:61:00) are always looked up. Written with
-- the load's records.
ALTER TABLE elt.loads
  ADD COLUMN IF NOT EXISTS key_time_field text,
  ADD COLUMN IF NOT EXISTS key_time_min text,
  ADD COLUMN IF NOT EXISTS key_time_max text;
-- Loads landed before: their span from raw, for the shipped time field (the one migration 0060 keyed
-- older rows by). A project keyed by another field sees a field it does not use: not known.
UPDATE elt.loads AS l SET key_time_field = 'created_at', key_time_min = s.lo, key_time_max = s.hi
  FROM (SELECT o.id,
               min((a.record ->> 'created_at') COLLATE "C") AS lo,
               max((a.record ->> 'created_at') COLLATE "C") AS hi
          FROM elt.loads AS o
          LEFT JOIN raw.api_attempts AS a ON a.load_id = o.id AND a.key_hash IS NOT NULL
                AND elt.parse_api_timestamp(a.record ->> 'created_at') IS NOT NULL
         WHERE o.inserted > 0 AND o.key_time_field IS NULL
         GROUP BY o.id) AS s
 WHERE l.id = s.id;
