import { describe, expect, it } from "vitest";
import { compareShapes } from "../../src/source-checks/compare-shapes.ts";
import type { ShapeRow } from "../../src/source-checks/load-shape.ts";

const T = { min_records: 5, min_share: 0.05, usual_share: 0.99 };

/** A shape: records n, then key → {type: count}. */
function shape(n: number, keys: Record<string, Record<string, number>>, scope = ""): ShapeRow[] {
  return [
    { scope, path: "", type: "object", n },
    ...Object.entries(keys).flatMap(([path, types]) =>
      Object.entries(types).map(([type, c]) => ({ scope, path, type, n: c })),
    ),
  ];
}

const usual = (n: number) => ({
  user: { string: n },
  is_correct: { number: Math.round(n * 0.42) - 1, boolean: 1, null: n - Math.round(n * 0.42) },
});

describe("compareShapes", () => {
  it("finds nothing without a baseline, and nothing in the usual shape", () => {
    expect(compareShapes(shape(400, usual(400)), [], T)).toEqual([]);
    expect(compareShapes(shape(400, usual(400)), shape(4000, usual(4000)), T)).toEqual([]);
  });

  it("a new key, a missing key and a retyped one are named", () => {
    const now = shape(400, { login: { string: 400 }, is_correct: { string: 168, null: 232 } });
    const found = compareShapes(now, shape(4000, usual(4000)), T);
    expect(found.map((f) => [f.kind, f.key])).toEqual([
      ["retyped", "is_correct"],
      ["new", "login"],
      ["missing", "user"],
    ]);
    expect(found[0]?.message).toBe(
      "key is_correct retyped: boolean/number → string (string in 168 of 168 values; number missing from 168 of 168 values)",
    );
  });

  it("nested keys are named field.key", () => {
    const base = shape(1000, { oauth_consumer_key: { string: 1000 } }, "passback_params");
    const now = shape(100, { oauth_consumer_key: { number: 100 } }, "passback_params");
    expect(compareShapes(now, base, T).map((f) => f.key)).toEqual(["passback_params.oauth_consumer_key"]);
  });

  it("is quiet on noise: a rare type, a few stray records, a small window, nulls, optional keys", () => {
    const base = shape(4000, { ...usual(4000), url: { string: 3800 } });
    // Four booleans of 168 values (below min_records), one record without user, no url at all in a
    // small window, a key that was always null now null again.
    const now = shape(400, {
      user: { string: 399 },
      is_correct: { number: 164, boolean: 4, null: 232 },
      stray: { string: 4 },
    });
    expect(compareShapes(now, base, T)).toEqual([]);
    // A 3-record window with a new type in all of them: too few to say.
    expect(compareShapes(shape(3, { user: { number: 3 } }), base, T)).toEqual([]);
    // The usual type absent from fewer than min_share of the values.
    const fewBooleans = shape(1000, {
      user: { string: 1000 },
      is_correct: { number: 400, boolean: 10, null: 590 },
    });
    expect(compareShapes(fewBooleans, base, T)).toEqual([]);
  });
});
