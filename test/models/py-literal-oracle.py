# Oracle for test/models/py-literal.test.ts (stdlib only). Reads JSON lines [source, pg_output|null]
# and prints a JSON line per disagreement between Python's ast.literal_eval and the SQL function.
# Expected: NULL when literal_eval raises or the value has no JSON form (sets, bytes, complex, inf,
# non-string keys, NUL or surrogate characters); tuples compare as lists.
import ast
import json
import math
import sys
import warnings

warnings.simplefilter("ignore")


class Unrepresentable(Exception):
    pass


def to_json_value(v):
    if v is None or isinstance(v, bool) or isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isinf(v) or math.isnan(v):
            raise Unrepresentable()
        return v
    if isinstance(v, str):
        if "\x00" in v or any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise Unrepresentable()
        return v
    if isinstance(v, (list, tuple)):
        return [to_json_value(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if not isinstance(k, str):
                raise Unrepresentable()
            out[to_json_value(k)] = to_json_value(x)
        return out
    raise Unrepresentable()


MISSING = object()


def expected(src):
    try:
        v = ast.literal_eval(src)
    except Exception:
        return MISSING
    try:
        return to_json_value(v)
    except Unrepresentable:
        return MISSING


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        try:
            return float(a) == float(b)
        except OverflowError:
            return False
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return False


for line in sys.stdin:
    src, got_text = json.loads(line)
    want = expected(src)
    if want is MISSING:
        ok = got_text is None
    else:
        ok = got_text is not None and same(want, json.loads(got_text))
    if not ok:
        print(json.dumps({"src": src, "got": got_text, "want": None if want is MISSING else repr(want)}))
