-- elt.py_literal_to_jsonb(text): the text of a Python literal (what repr() prints, e.g. the API's
-- passback_params) as jsonb, or NULL when the text is not a valid literal or its value has no JSON
-- form (sets, bytes, complex, inf, non-string dict keys, NUL or lone surrogate characters). Never
-- raises. Tuples become arrays. Agrees with Python's ast.literal_eval, checked by a property test
-- (test/models/py-literal.test.ts); see docs/adr/0004-passback-parsing-in-sql.md.
-- Runs on PostgreSQL 15+ and PGlite (plpgsql, no extensions).
--
-- The general parser marks a value with no JSON form by the string U+FDD0 "unrepresentable" U+FDD0
-- (U+FDD0 is a Unicode noncharacter) instead of giving up at once: Python evaluates the whole
-- literal, and a later duplicate key may drop that value (`{'a': {1, 2}, 'a': 0}` is `{'a': 0}`).
-- The result is NULL when the mark survives.

-- One backslash escape of a non-raw str literal (`\n`, `\x41`, `\u00e9`, `\101`, ...) as text;
-- NULL when Python rejects it (`\x4`, `\N{...}` which needs Python's name table, > U+10FFFF);
-- the mark for NUL and surrogates. Unknown escapes keep the backslash, as Python does.
CREATE OR REPLACE FUNCTION elt._py_escape(esc text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  c text := substr(esc, 2, 1);
  code bigint;
BEGIN
  CASE c
    WHEN E'\n' THEN RETURN '';                      -- backslash-newline: line continuation
    WHEN '\' THEN RETURN '\';
    WHEN '''' THEN RETURN '''';
    WHEN '"' THEN RETURN '"';
    WHEN 'n' THEN RETURN E'\n';
    WHEN 't' THEN RETURN E'\t';
    WHEN 'r' THEN RETURN E'\r';
    WHEN 'a' THEN RETURN chr(7);
    WHEN 'b' THEN RETURN chr(8);
    WHEN 'f' THEN RETURN chr(12);
    WHEN 'v' THEN RETURN chr(11);
    WHEN 'N' THEN RETURN NULL;
    WHEN 'x', 'u', 'U' THEN
      IF length(esc) < 4 THEN RETURN NULL; END IF;  -- truncated \x, \u, \U: a SyntaxError
      code := ('x' || lpad(substr(esc, 3), 8, '0'))::bit(32)::bigint;
    ELSE
      IF c !~ '^[0-7]$' THEN RETURN esc; END IF;
      code := 0;
      FOR i IN 2 .. length(esc) LOOP
        code := code * 8 + ascii(substr(esc, i, 1)) - 48;
      END LOOP;
  END CASE;
  IF code > 1114111 THEN RETURN NULL; END IF;
  IF code = 0 OR code BETWEEN 55296 AND 57343 THEN RETURN E'\uFDD0unrepresentable\uFDD0'; END IF;
  RETURN chr(code::int);
END
$fn$;

-- A string literal token (with its prefix and quotes) as text; NULL for f-strings, bad prefixes or
-- escapes; the mark for bytes. Newlines inside are normalised first, as Python's tokenizer does.
CREATE OR REPLACE FUNCTION elt._py_string(tok text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  prefix text := lower(substring(tok from '^[A-Za-z]*'));
  body text := substr(tok, length(prefix) + 1);
  q int := CASE WHEN left(body, 3) IN ('''''''', '"""') THEN 3 ELSE 1 END;
  out text := '';
  piece text;
BEGIN
  body := substr(body, q + 1, length(body) - 2 * q);
  IF prefix IN ('b', 'br', 'rb') THEN
    -- bytes: valid only with ASCII source characters and whole \x escapes; never JSON.
    IF body ~ '[^\x01-\x7f]' OR (prefix = 'b' AND body ~ '\\x(?![0-9A-Fa-f]{2})') THEN RETURN NULL; END IF;
    IF prefix = 'b' AND body ~ '(?:^|[^\\])(?:\\\\)*\\x(?![0-9A-Fa-f]{2})' THEN RETURN NULL; END IF;
    RETURN E'\uFDD0unrepresentable\uFDD0';
  END IF;
  IF prefix NOT IN ('', 'u', 'r') THEN RETURN NULL; END IF;
  IF strpos(body, E'\r') > 0 THEN
    body := replace(replace(body, E'\r\n', E'\n'), E'\r', E'\n');
  END IF;
  IF prefix = 'r' OR strpos(body, '\') = 0 THEN RETURN body; END IF;
  FOR piece IN
    SELECT m[1] FROM regexp_matches(body,
      $re$\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)|[^\\]+$re$, 'g') AS m
  LOOP
    IF left(piece, 1) = '\' THEN
      piece := elt._py_escape(piece);
      IF piece IS NULL THEN RETURN NULL; END IF;
    END IF;
    out := out || piece;
  END LOOP;
  RETURN out;
END
$fn$;

-- A number token as jsonb; NULL for a malformed literal (`01`, `1__0`, `0b2`); the mark for complex
-- and inf. Floats go through float8 so the value is the double Python holds
-- (0.1000000000000000000001 is 0.1); an overflow is inf and an underflow is 0, as in Python.
CREATE OR REPLACE FUNCTION elt._py_number(tok text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  digits text := replace(lower(tok), '_', '');
  base int;
  n numeric := 0;
  mant text;
  expo numeric;
  magnitude numeric;
BEGIN
  IF tok ~ '^(?:[1-9](?:_?[0-9])*|0(?:_?0)*)$' THEN
    RETURN to_jsonb(digits::numeric);
  END IF;
  IF tok ~ '^0(?:[xX](?:_?[0-9A-Fa-f])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)$' THEN
    base := CASE substr(digits, 2, 1) WHEN 'x' THEN 16 WHEN 'o' THEN 8 ELSE 2 END;
    FOR i IN 3 .. length(digits) LOOP
      n := n * base + strpos('0123456789abcdef', substr(digits, i, 1)) - 1;
    END LOOP;
    RETURN to_jsonb(n);
  END IF;
  IF tok ~ '^(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?[jJ]$' THEN
    RETURN to_jsonb(E'\uFDD0unrepresentable\uFDD0'::text);   -- complex
  END IF;
  IF tok !~ '^(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$'
     OR tok !~ '[.eE]' THEN
    RETURN NULL;
  END IF;
  -- Decimal exponent of the leading significant digit, to tell overflow from underflow before
  -- float8 sees numbers it would reject.
  mant := split_part(digits, 'e', 1);
  expo := coalesce(nullif(split_part(digits, 'e', 2), '')::numeric, 0);
  IF mant !~ '[1-9]' THEN RETURN to_jsonb(0); END IF;
  magnitude := expo + CASE
    WHEN ltrim(split_part(mant, '.', 1), '0') <> '' THEN length(ltrim(split_part(mant, '.', 1), '0')) - 1
    ELSE -(length(substring(split_part(mant, '.', 2) from '^0*')) + 1) END;
  IF magnitude > 308 THEN RETURN to_jsonb(E'\uFDD0unrepresentable\uFDD0'::text); END IF;
  IF magnitude < -324 THEN RETURN to_jsonb(0); END IF;
  BEGIN
    RETURN to_jsonb(digits::float8);
  EXCEPTION WHEN OTHERS THEN
    -- Out of float8 range at the edges (1.8e308 is inf, 2e-324 is 0).
    RETURN CASE WHEN magnitude > 0 THEN to_jsonb(E'\uFDD0unrepresentable\uFDD0'::text) ELSE to_jsonb(0) END;
  END;
END
$fn$;

-- The general parser: tokens by one regular expression, then a loop with an explicit stack.
CREATE OR REPLACE FUNCTION elt._py_literal_parse(src text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  mark CONSTANT text := E'\uFDD0unrepresentable\uFDD0';
  lead text;
  body text;
  toks text[];
  total int;
  ntok int;
  i int := 0;
  j int;
  t text;
  c text;
  -- Stack of open containers: '{' dict (or a set until its first ':'), 'S' set, '[' list,
  -- '(' parenthesised value or tuple, 'T' the top level (an implicit tuple when it has commas).
  kinds text[] := ARRAY['T'];
  accs jsonb[] := ARRAY['[]'::jsonb];
  counts int[] := ARRAY[0];
  signs int[] := ARRAY[0];
  keys text[] := ARRAY[NULL::text];
  commas boolean[] := ARRAY[false];
  hashable boolean[] := ARRAY[true];   -- every element so far hashable (decides a tuple's)
  nonstr boolean[] := ARRAY[false];    -- a dict with a key JSON cannot hold
  d int := 1;
  -- The value just completed ("after a value" mode) and what Python still allows on it.
  after boolean := false;
  cur jsonb;
  cur_num boolean := false;    -- a bare number literal: a sign may apply
  cur_signed boolean := false; -- a number or signed number: may be the left side of `1+2j`
  cur_str boolean := false;    -- a str literal: an adjacent str literal concatenates
  cur_bytes boolean := false;  -- a bytes literal: an adjacent bytes literal concatenates
  cur_hash boolean := false;   -- hashable: may be a dict key or a set element
  cur_text text;
  sign int := 0;
  last_tok int := 0;           -- the last token of the top-level value
  s text;
  is_bytes boolean;
BEGIN
  -- Leading blank lines and comments; the first real line must not be indented (literal_eval
  -- itself strips the first line's spaces and tabs).
  lead := substring(src from '^[ \t]*(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n))*(?:[ \t\f]*\f)?');
  body := substr(src, length(lead) + 1);
  IF body ~ '^[ \t]' THEN RETURN NULL; END IF;
  SELECT array_agg(m[1]), sum(length(m[1])) INTO toks, total
  FROM regexp_matches(body, $re$[ \t\f]+|\\(?:\r\n|\r|\n)|\r\n|\r|\n|#[^\r\n]*|[A-Za-z]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|"""(?:[^"\\]|\\.|"(?!""))*"""|'(?!'')(?:[^'\\\r\n]|\\(?:\r\n|.))*'|"(?!"")(?:[^"\\\r\n]|\\(?:\r\n|.))*")|0[xXoObB][0-9A-Fa-f_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?[jJ]?|[A-Za-z_][A-Za-z0-9_]*|[][{}():,+-]$re$, 'g') AS m;
  -- A character no token matches (an unterminated string, `*`, `;`, ...) leaves a gap.
  IF total IS NULL OR total <> length(body) THEN RETURN NULL; END IF;
  ntok := array_length(toks, 1);

  WHILE i < ntok LOOP
    i := i + 1;
    t := toks[i];
    c := left(t, 1);

    -- Whitespace. Inside brackets newlines and comments are whitespace too; at the top level they
    -- end the logical line, so the value must be complete there.
    IF c IN (' ', E'\t', E'\f') OR (c = '\' AND length(t) > 1) THEN
      CONTINUE;
    ELSIF c IN (E'\n', E'\r', '#') THEN
      IF d > 1 THEN CONTINUE; END IF;
      EXIT;
    END IF;

    IF after THEN
      IF c IN ('''', '"') OR (c ~ '[A-Za-z]' AND right(t, 1) IN ('''', '"')) THEN
        -- Adjacent literals concatenate, str with str and bytes with bytes only.
        is_bytes := strpos(lower(substring(t from '^[A-Za-z]*')), 'b') > 0;
        IF NOT (cur_str OR cur_bytes) OR is_bytes <> cur_bytes THEN RETURN NULL; END IF;
        s := elt._py_string(t);
        IF s IS NULL THEN RETURN NULL; END IF;
        IF NOT cur_bytes THEN
          cur_text := cur_text || s;
          cur := to_jsonb(cur_text);
        END IF;
        IF d = 1 THEN last_tok := i; END IF;
        CONTINUE;
      END IF;
      IF c IN ('+', '-') AND cur_signed THEN
        -- `1+2j`, `-1-2j`: a complex number (right side an imaginary literal), never JSON.
        j := i + 1;
        WHILE j <= ntok AND (left(toks[j], 1) IN (' ', E'\t', E'\f') OR (d > 1 AND left(toks[j], 1) IN (E'\n', E'\r', '#'))
                             OR (left(toks[j], 1) = '\' AND length(toks[j]) > 1)) LOOP
          j := j + 1;
        END LOOP;
        IF j > ntok OR toks[j] !~ '^[0-9.].*[jJ]$' OR elt._py_number(toks[j]) IS NULL THEN RETURN NULL; END IF;
        i := j;
        cur := to_jsonb(mark);
        cur_num := false; cur_signed := false; cur_str := false; cur_bytes := false; cur_hash := true;
        IF d = 1 THEN last_tok := i; END IF;
        CONTINUE;
      END IF;
      IF c = ',' THEN
        IF kinds[d] = '{' AND keys[d] IS NULL THEN
          IF counts[d] > 0 THEN RETURN NULL; END IF;    -- `{'a': 1, 2}`
          kinds[d] := 'S';                               -- `{1, 2}`: a set
        END IF;
        IF kinds[d] = '{' THEN
          accs[d] := accs[d] || jsonb_build_object(keys[d], cur);
          keys[d] := NULL;
        ELSIF kinds[d] = 'S' THEN
          IF NOT cur_hash THEN RETURN NULL; END IF;     -- TypeError: unhashable
        ELSE
          accs[d] := accs[d] || jsonb_build_array(cur);
          hashable[d] := hashable[d] AND cur_hash;
        END IF;
        counts[d] := counts[d] + 1;
        commas[d] := true;
        after := false;
        IF d = 1 THEN last_tok := i; END IF;
      ELSIF c = ':' THEN
        IF kinds[d] <> '{' OR keys[d] IS NOT NULL THEN RETURN NULL; END IF;
        IF NOT cur_hash THEN RETURN NULL; END IF;       -- TypeError: unhashable key
        IF jsonb_typeof(cur) = 'string' THEN
          keys[d] := cur #>> '{}';
        ELSE
          keys[d] := mark;                               -- JSON keys are strings
          nonstr[d] := true;
        END IF;
        after := false;
      ELSIF c IN (')', ']', '}') THEN
        IF translate(kinds[d], 'S', '{') <> translate(c, ')]}', '([{') THEN RETURN NULL; END IF;
        IF kinds[d] = '{' AND keys[d] IS NULL AND counts[d] > 0 THEN RETURN NULL; END IF;
        IF kinds[d] = '{' AND keys[d] IS NOT NULL THEN
          cur := CASE WHEN nonstr[d] THEN to_jsonb(mark) ELSE accs[d] || jsonb_build_object(keys[d], cur) END;
          cur_hash := false;
          cur_num := false; cur_signed := false;
        ELSIF kinds[d] IN ('{', 'S') THEN
          IF NOT cur_hash THEN RETURN NULL; END IF;     -- `{[1]}`
          cur := to_jsonb(mark);                         -- a set
          cur_hash := false;
          cur_num := false; cur_signed := false;
        ELSIF kinds[d] = '(' AND counts[d] = 0 THEN
          NULL;                        -- `(x)`: just x, still a bare number if it was one
        ELSE
          cur := accs[d] || jsonb_build_array(cur);
          cur_hash := kinds[d] = '(' AND hashable[d] AND cur_hash;
          cur_num := false; cur_signed := false;
        END IF;
        IF signs[d] <> 0 THEN          -- `-(1)`
          IF NOT cur_num THEN RETURN NULL; END IF;
          IF signs[d] < 0 AND jsonb_typeof(cur) = 'number' THEN cur := to_jsonb(-((cur #>> '{}')::numeric)); END IF;
          cur_num := false;
          cur_signed := true;
        END IF;
        cur_str := false;
        cur_bytes := false;
        d := d - 1;
        IF d = 1 THEN last_tok := i; END IF;
      ELSE
        RETURN NULL;                   -- two values in a row, `1 if x`, ...
      END IF;
      CONTINUE;
    END IF;

    -- Expecting a value.
    IF c IN ('-', '+') THEN
      IF sign <> 0 THEN RETURN NULL; END IF;   -- `--1` is a UnaryOp on a UnaryOp: rejected
      sign := CASE c WHEN '-' THEN -1 ELSE 1 END;
      CONTINUE;
    ELSIF c IN ('(', '[', '{') THEN
      IF sign <> 0 AND c <> '(' THEN RETURN NULL; END IF;
      IF d >= 201 THEN RETURN NULL; END IF;    -- Python: too many nested parentheses
      d := d + 1;
      kinds[d] := c;
      accs[d] := CASE c WHEN '{' THEN '{}'::jsonb ELSE '[]'::jsonb END;
      counts[d] := 0;
      signs[d] := sign;
      keys[d] := NULL;
      commas[d] := false;
      hashable[d] := true;
      nonstr[d] := false;
      sign := 0;
      CONTINUE;
    ELSIF c IN (')', ']', '}') THEN
      -- Only an empty container or one after a trailing comma.
      IF sign <> 0 OR translate(kinds[d], 'S', '{') <> translate(c, ')]}', '([{') THEN RETURN NULL; END IF;
      IF counts[d] > 0 AND NOT commas[d] THEN RETURN NULL; END IF;
      IF kinds[d] = '{' AND keys[d] IS NOT NULL THEN RETURN NULL; END IF;
      IF signs[d] <> 0 THEN RETURN NULL; END IF;
      cur := CASE WHEN kinds[d] = 'S' OR nonstr[d] THEN to_jsonb(mark) ELSE accs[d] END;
      cur_hash := kinds[d] = '(' AND hashable[d];
      cur_num := false; cur_signed := false; cur_str := false; cur_bytes := false;
      d := d - 1;
      after := true;
      IF d = 1 THEN last_tok := i; END IF;
      CONTINUE;
    ELSIF c = '''' OR c = '"' OR (c ~ '[A-Za-z]' AND right(t, 1) IN ('''', '"')) THEN
      IF sign <> 0 THEN RETURN NULL; END IF;
      cur_text := elt._py_string(t);
      IF cur_text IS NULL THEN RETURN NULL; END IF;
      cur_bytes := strpos(lower(substring(t from '^[A-Za-z]*')), 'b') > 0;
      cur_str := NOT cur_bytes;
      cur := to_jsonb(cur_text);
      cur_num := false; cur_signed := false; cur_hash := true;
    ELSIF c ~ '[0-9.]' THEN
      cur := elt._py_number(t);
      IF cur IS NULL THEN RETURN NULL; END IF;
      cur_num := sign = 0;
      cur_signed := true;
      IF sign < 0 AND jsonb_typeof(cur) = 'number' THEN cur := to_jsonb(-((cur #>> '{}')::numeric)); END IF;
      sign := 0;
      cur_str := false; cur_bytes := false; cur_hash := true;
    ELSIF t IN ('None', 'True', 'False') THEN
      IF sign <> 0 THEN RETURN NULL; END IF;
      cur := CASE t WHEN 'None' THEN 'null'::jsonb WHEN 'True' THEN 'true'::jsonb ELSE 'false'::jsonb END;
      cur_str := false; cur_bytes := false; cur_num := false; cur_signed := false; cur_hash := true;
    ELSIF t = 'set' AND sign = 0 THEN
      -- `set()`, the empty set: a call literal_eval allows.
      j := i + 1;
      WHILE j <= ntok AND (left(toks[j], 1) IN (' ', E'\t', E'\f') OR (left(toks[j], 1) = '\' AND length(toks[j]) > 1)) LOOP
        j := j + 1;
      END LOOP;
      IF j > ntok OR toks[j] <> '(' THEN RETURN NULL; END IF;
      j := j + 1;
      WHILE j <= ntok AND (left(toks[j], 1) IN (' ', E'\t', E'\f', E'\n', E'\r', '#') OR (left(toks[j], 1) = '\' AND length(toks[j]) > 1)) LOOP
        j := j + 1;
      END LOOP;
      IF j > ntok OR toks[j] <> ')' THEN RETURN NULL; END IF;
      i := j;
      cur := to_jsonb(mark);
      cur_str := false; cur_bytes := false; cur_num := false; cur_signed := false; cur_hash := false;
    ELSE
      RETURN NULL;                     -- `,` `:` where a value belongs, names, calls, `...`
    END IF;
    after := true;
    IF d = 1 THEN last_tok := i; END IF;
  END LOOP;

  -- End of the logical line (or of the text): the top level must hold a complete value.
  IF d <> 1 OR sign <> 0 THEN RETURN NULL; END IF;
  IF after THEN
    IF counts[1] > 0 THEN cur := accs[1] || jsonb_build_array(cur); END IF;   -- `1, 2`
  ELSIF counts[1] > 0 THEN
    cur := accs[1];                    -- `1,` (a trailing comma)
  ELSE
    RETURN NULL;                       -- nothing at all
  END IF;
  -- What follows the value: spaces, continuations (not at the very end), a comment, then blank or
  -- comment lines; a last line of only spaces would be an unexpected indent.
  IF last_tok < ntok THEN
    s := array_to_string(toks[last_tok + 1 : ntok], '');
    IF s !~ $re$^(?:[ \t\f]|\\(?:\r\n|\r|\n)(?!$))*(?:#[^\r\n]*)?(?:(?:\r\n|\r|\n)(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n))*(?:[ \t\f]*#[^\r\n]*|(?:[ \t\f]*\f)?))?$$re$ THEN
      RETURN NULL;
    END IF;
  END IF;
  IF strpos(cur::text, mark) > 0 THEN RETURN NULL; END IF;
  RETURN cur;
END
$fn$;

-- Flat dicts with double-quoted strings (a value holding an apostrophe), or more keys: one regular
-- expression; anything else: the general parser.
CREATE OR REPLACE FUNCTION elt._py_literal_other(src text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
BEGIN
  IF strpos(src, '\') = 0 AND strpos(src, E'\n') = 0 AND strpos(src, E'\r') = 0
     AND src ~ $re$^\{(?:'[^']*'|"[^"]*"): (?:'[^']*'|"[^"]*")(?:, (?:'[^']*'|"[^"]*"): (?:'[^']*'|"[^"]*"))*\}$$re$ THEN
    RETURN (SELECT jsonb_object(array_agg(coalesce(x.s[1], x.s[2]) ORDER BY x.o))
            FROM regexp_matches(src, $re$'([^']*)'|"([^"]*)"$re$, 'g') WITH ORDINALITY AS x(s, o));
  END IF;
  RETURN elt._py_literal_parse(src);
END
$fn$;

-- The entry point. Almost every passback_params is Python's repr of a flat dict of 1-4
-- single-quoted strings without backslashes: `{'k': 'v', 'k2': 'v2'}`. Split on the quotes, that
-- shape is proven by rebuilding the text from the pieces and comparing: no regular expression (one
-- over the whole text costs more than everything else here together), and a single statement, as
-- every PL/pgSQL statement costs (much more so on PGlite). Anything else: elt._py_literal_other.
CREATE OR REPLACE FUNCTION elt.py_literal_to_jsonb(src text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  -- {'k1': 'v1', 'k2': 'v2'} -> [{, k1, ": ", v1, ", ", k2, ": ", v2, }]: m pairs, 4m+1 pieces.
  a text[] := string_to_array(src, '''');
BEGIN
  RETURN coalesce(CASE
    WHEN strpos(src, '\') > 0 OR strpos(src, E'\n') > 0 OR strpos(src, E'\r') > 0 THEN NULL
    WHEN cardinality(a) = 13 THEN CASE WHEN format($f${'%2$s': '%4$s', '%6$s': '%8$s', '%10$s': '%12$s'}$f$, VARIADIC a) = src
      THEN jsonb_build_object(a[2], a[4], a[6], a[8], a[10], a[12]) END
    WHEN cardinality(a) = 9 THEN CASE WHEN format($f${'%2$s': '%4$s', '%6$s': '%8$s'}$f$, VARIADIC a) = src
      THEN jsonb_build_object(a[2], a[4], a[6], a[8]) END
    WHEN cardinality(a) = 5 THEN CASE WHEN format($f${'%2$s': '%4$s'}$f$, VARIADIC a) = src
      THEN jsonb_build_object(a[2], a[4]) END
    WHEN cardinality(a) = 17 THEN CASE WHEN format($f${'%2$s': '%4$s', '%6$s': '%8$s', '%10$s': '%12$s', '%14$s': '%16$s'}$f$, VARIADIC a) = src
      THEN jsonb_build_object(a[2], a[4], a[6], a[8], a[10], a[12], a[14], a[16]) END
  END, elt._py_literal_other(src));
END
$fn$;
