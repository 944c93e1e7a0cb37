-- elt.parse_api_timestamp(text): the API's created_at text ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC, no
-- zone; a 'T' separator is accepted too) as a timestamp, or NULL when it is not such a time (a bad
-- calendar date such as 2023-02-30, hour 25, trailing text, another format). Never raises: the text
-- is checked before the cast. A single expression, so PostgreSQL inlines it into the staging view;
-- STABLE, not IMMUTABLE, because the text-to-timestamp cast is (an IMMUTABLE function holding a
-- STABLE expression is never inlined). The ISO format reads the same under any DateStyle.
CREATE OR REPLACE FUNCTION elt.parse_api_timestamp(t text) RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN t ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$'
      AND substr(t, 9, 2)::int <= extract(day FROM make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1)
                                            + interval '1 month - 1 day')
    THEN replace(t, 'T', ' ')::timestamp
  END
$fn$;
