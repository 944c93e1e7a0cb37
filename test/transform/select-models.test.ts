import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { buildOrder } from "../../src/transform/build-order.ts";
import { parseSelectors, type SelectableModel, selectModels } from "../../src/transform/select-models.ts";

// a → b → d, a → c → d, e alone (deps point upstream: d depends on b and c).
const MODELS: SelectableModel[] = [
  { name: "a", path: "models/staging/a.sql", tags: ["staging"], deps: [] },
  { name: "b", path: "models/marts/b.sql", tags: ["daily"], deps: ["a"] },
  { name: "c", path: "models/marts/c.sql", tags: [], deps: ["a"] },
  { name: "d", path: "models/marts/sub/d.sql", tags: ["daily"], deps: ["b", "c"] },
  { name: "e", path: "models/other/e.sql", tags: [], deps: [] },
];
const sel = (select?: string | string[], exclude?: string | string[]) =>
  [...selectModels(MODELS, select, exclude)].sort();

describe("selection grammar", () => {
  it("parses names, graph operators and methods, space or comma separated", () => {
    expect(parseSelectors(["+b, tag:daily+", "path:models/marts"])).toEqual([
      { method: "name", value: "b", ancestors: true, descendants: false },
      { method: "tag", value: "daily", ancestors: false, descendants: true },
      { method: "path", value: "models/marts", ancestors: false, descendants: false },
    ]);
    expect(() => parseSelectors("tag:")).toThrow(ConfigError);
  });

  it("selects everything by default, and names with ancestors or descendants", () => {
    expect(sel()).toEqual(["a", "b", "c", "d", "e"]);
    expect(sel("b")).toEqual(["b"]);
    expect(sel("+b")).toEqual(["a", "b"]);
    expect(sel("b+")).toEqual(["b", "d"]);
    expect(sel("+d")).toEqual(["a", "b", "c", "d"]);
    expect(sel("a+")).toEqual(["a", "b", "c", "d"]);
    expect(sel("+c+")).toEqual(["a", "c", "d"]);
    expect(sel("b e")).toEqual(["b", "e"]);
    expect(sel(["b,e", "c"])).toEqual(["b", "c", "e"]);
  });

  it("selects by tag and by path (folder or file), with operators", () => {
    expect(sel("tag:daily")).toEqual(["b", "d"]);
    expect(sel("+tag:daily")).toEqual(["a", "b", "c", "d"]);
    expect(sel("path:models/marts")).toEqual(["b", "c", "d"]);
    expect(sel("path:./models/marts/sub/")).toEqual(["d"]);
    expect(sel("path:models/staging/a.sql+")).toEqual(["a", "b", "c", "d"]);
    expect(sel("path:models/mar")).toEqual([]);
    expect(sel("tag:nothing")).toEqual([]);
  });

  it("excludes with the same grammar", () => {
    expect(sel(undefined, "tag:daily")).toEqual(["a", "c", "e"]);
    expect(sel("a+", "d")).toEqual(["a", "b", "c"]);
    expect(sel("+d", "+b")).toEqual(["c", "d"]);
  });

  it("rejects a name that matches no model", () => {
    expect(() => sel("nope")).toThrow(/no model named "nope"/);
    expect(() => sel(undefined, "nope")).toThrow(ConfigError);
  });
});

describe("build order", () => {
  it("puts dependencies first, ties by name", () => {
    const { order, problems } = buildOrder(
      MODELS.map((m) => ({ name: m.name, path: m.path, deps: m.deps.map((name) => ({ name })) })),
    );
    expect(problems).toEqual([]);
    expect(order).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("reports each cycle with its path at the ref that closes it", () => {
    const { order, problems } = buildOrder([
      { name: "a", path: "models/a.sql", deps: [{ name: "c", line: 3 }] },
      { name: "b", path: "models/b.sql", deps: [{ name: "a", line: 5 }] },
      { name: "c", path: "models/c.sql", deps: [{ name: "b", line: 7 }] },
      { name: "x", path: "models/x.sql", deps: [{ name: "x", line: 2 }] },
      { name: "ok", path: "models/ok.sql", deps: [] },
    ]);
    expect(order).toEqual(["ok"]);
    expect(problems).toEqual([
      { file: "models/b.sql", line: 5, message: "dependency cycle: a → c → b → a" },
      { file: "models/x.sql", line: 2, message: "dependency cycle: x → x" },
    ]);
  });
});
