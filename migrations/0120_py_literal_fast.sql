-- A faster elt.py_literal_to_jsonb (migration 0020), same results: docs/adr/0015-parse-once.md.
--
-- Almost every passback_params is Python's repr of a flat dict of 2 or 3 single-quoted strings
-- (`{'k': 'v', 'k2': 'v2'}`); about 3% hold an apostrophe, so repr prints that value in double
-- quotes. The old entry point spent ~5 µs on the first kind and ~25 µs on the second (a query per
-- call); these take ~2 µs and ~5 µs. Everything else still goes to 0020's general parser.

-- A flat dict of strings with either quote kind: its text made JSON and cast. Anything else: the
-- general parser. The regular expression proves the shape and keeps out what JSON spells otherwise
-- or refuses raw: backslashes, control characters, `"` inside a single-quoted string. Then every
-- `"` in the text delimits a double-quoted string, so splitting on `"` leaves those strings' text
-- at even positions, and at odd positions only single-quoted strings (no quote inside) and
-- punctuation, whose `'` become `"`. The cast cannot fail on what the expression let through.
CREATE OR REPLACE FUNCTION elt._py_literal_other(src text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  parts text[];
BEGIN
  IF src !~ $re$^\{(?:'[^'"\\\x01-\x1f]*'|"[^"\\\x01-\x1f]*"): (?:'[^'"\\\x01-\x1f]*'|"[^"\\\x01-\x1f]*")(?:, (?:'[^'"\\\x01-\x1f]*'|"[^"\\\x01-\x1f]*"): (?:'[^'"\\\x01-\x1f]*'|"[^"\\\x01-\x1f]*"))*\}$$re$ THEN
    RETURN elt._py_literal_parse(src);
  END IF;
  parts := string_to_array(src, '"');
  FOR i IN 1 .. cardinality(parts) BY 2 LOOP
    parts[i] := replace(parts[i], '''', '"');
  END LOOP;
  RETURN array_to_string(parts, '"')::jsonb;   -- jsonb keeps the last of duplicate keys, as Python
END
$fn$;

-- The entry point: one SQL expression that PostgreSQL inlines into the calling query (LANGUAGE sql,
-- not STRICT, IMMUTABLE, no subquery), so the common shape costs no function call. That shape is
-- `{'k1': 'v1', ..., 'km': 'vm'}` with m = 1..4, exactly repr's spacing and no backslash or line
-- break: with exactly 4m quotes and the LIKE pattern of m pairs, every `%` holds a quote-free
-- string, so piece 2i of the text split on `'` is the i-th string, and jsonb_object pairs them (the
-- last of duplicate keys wins, as in Python). No regular expression: one over the whole text costs
-- as much as all of this. Each use of `src` evaluates the caller's argument again: pass a column or
-- a cheap expression (more than 10 operators and PostgreSQL calls the function instead of inlining
-- it, ~4 µs more a row). The empty text is NULL without a parse.
CREATE OR REPLACE FUNCTION elt.py_literal_to_jsonb(src text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(
    CASE WHEN strpos(src, '\') = 0 AND strpos(src, E'\n') = 0 AND strpos(src, E'\r') = 0 THEN
      CASE octet_length(src) - octet_length(replace(src, '''', ''))
        WHEN 12 THEN CASE WHEN src LIKE '{''%'': ''%'', ''%'': ''%'', ''%'': ''%''}' THEN jsonb_object(ARRAY[
          split_part(src, '''', 2), split_part(src, '''', 4), split_part(src, '''', 6),
          split_part(src, '''', 8), split_part(src, '''', 10), split_part(src, '''', 12)]) END
        WHEN 8 THEN CASE WHEN src LIKE '{''%'': ''%'', ''%'': ''%''}' THEN jsonb_object(ARRAY[
          split_part(src, '''', 2), split_part(src, '''', 4), split_part(src, '''', 6),
          split_part(src, '''', 8)]) END
        WHEN 4 THEN CASE WHEN src LIKE '{''%'': ''%''}' THEN jsonb_object(ARRAY[
          split_part(src, '''', 2), split_part(src, '''', 4)]) END
        WHEN 16 THEN CASE WHEN src LIKE '{''%'': ''%'', ''%'': ''%'', ''%'': ''%'', ''%'': ''%''}' THEN jsonb_object(ARRAY[
          split_part(src, '''', 2), split_part(src, '''', 4), split_part(src, '''', 6),
          split_part(src, '''', 8), split_part(src, '''', 10), split_part(src, '''', 12),
          split_part(src, '''', 14), split_part(src, '''', 16)]) END
      END
    END,
    CASE WHEN src <> '' THEN elt._py_literal_other(src) END)
$fn$;
