import { describe, expect, it } from "vitest";
import { pointAtSource } from "../../src/transform/point-at-source.ts";
import { type SqlSourceMap, sourceAt } from "../../src/transform/sql-source-map.ts";
import { TemplateEnv } from "../../src/transform/template-env.ts";
import { tempProject } from "../helpers/project.ts";

function env(macros: Record<string, string> = {}): TemplateEnv {
  const files = Object.fromEntries(Object.entries(macros).map(([k, v]) => [`macros/${k}`, v]));
  const dir = tempProject({ "keep.txt": "", ...files });
  return new TemplateEnv({ models: new Map([["src", "grade.src"]]), sources: new Map(), vars: { v: 3 } }, [
    { dir: `${dir}/macros`, rel: "macros" },
  ]);
}

function render(e: TemplateEnv, body: string, isIncremental = false) {
  const r = e.compile(body)({ file: "models/m.sql", firstLine: 5, isIncremental, self: "grade.m" });
  expect(r.problems).toEqual([]);
  return r;
}

/** `file:line:column` of the first occurrence of `needle` in the rendered SQL. */
function where(sql: string, map: SqlSourceMap | undefined, needle: string): string {
  const at = sql.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  const p = map && sourceAt(map, at);
  return p ? `${p.file}:${p.line}:${p.column ?? "?"}` : "none";
}

const pgError = (message: string, fields: Record<string, string>) =>
  Object.assign(new Error(message), fields);

describe("the source map of a rendered template", () => {
  it("maps text before and after helpers to its column, a helper's output to the helper", () => {
    const { sql, map } = render(
      env(),
      'SELECT id,\n  amount\nFROM {{ref "src"}} AS s WHERE bad > {{var "v"}} + x\n',
    );
    expect(sql).toBe("SELECT id,\n  amount\nFROM grade.src AS s WHERE bad > 3 + x\n");
    expect(where(sql, map, "amount")).toBe("models/m.sql:6:3");
    expect(where(sql, map, "grade.src")).toBe("models/m.sql:7:6");
    expect(where(sql, map, "src AS")).toBe("models/m.sql:7:6");
    // Between two helpers the line is known, the column is the first helper's.
    expect(where(sql, map, "AS s")).toBe("models/m.sql:7:6");
    expect(where(sql, map, "3 + x")).toBe("models/m.sql:7:6");
    expect(where(sql, map, "+ x")).toBe("models/m.sql:7:49");
  });

  it("follows standalone blocks and whitespace control, rendered both ways", () => {
    const body = [
      "SELECT a",
      "FROM t",
      "  {{#if is_incremental}}",
      "  WHERE a > 1",
      "  {{/if}}",
      "GROUP BY a   {{~! trailing spaces go }}",
      "ORDER BY b",
    ].join("\n");
    const e = env();
    const full = render(e, body);
    expect(full.sql).toBe("SELECT a\nFROM t\nGROUP BY a\nORDER BY b");
    expect(where(full.sql, full.map, "ORDER")).toBe("models/m.sql:11:1");
    const incr = render(e, body, true);
    expect(incr.sql).toBe("SELECT a\nFROM t\n  WHERE a > 1\nGROUP BY a\nORDER BY b");
    expect(where(incr.sql, incr.map, "a > 1")).toBe("models/m.sql:8:9");
    expect(where(incr.sql, incr.map, "GROUP")).toBe("models/m.sql:10:1");
    expect(where(incr.sql, incr.map, "ORDER")).toBe("models/m.sql:11:1");
  });

  it("maps a partial's lines to its file, inline and indented, and the caller's line after it", () => {
    const e = env({ "cols.hbs": "a,\n  b\n", "sum.hbs": "x + y" });
    const { sql, map } = render(e, "SELECT\n  {{> cols}}\nFROM t WHERE {{> sum}} > zz\n");
    expect(sql).toBe("SELECT\n  a,\n    b\nFROM t WHERE x + y > zz\n");
    expect(where(sql, map, "a,")).toBe("macros/cols.hbs:1:1");
    expect(where(sql, map, "b\n")).toBe("macros/cols.hbs:2:3");
    expect(where(sql, map, "WHERE")).toBe("models/m.sql:7:8");
    expect(where(sql, map, "y >")).toBe("macros/sum.hbs:1:5");
    expect(where(sql, map, "zz")).toBe("models/m.sql:7:26");
  });

  it("gives no map rather than a wrong one when the marked rendering differs", () => {
    // A marker lands inside the string argument, and this helper renders its length.
    const e = env({ "len.cjs": "exports.len = (s) => String(s.length);" });
    const r = render(e, 'SELECT {{len "two\nlines"}}\n');
    expect(r.sql).toBe("SELECT 9\n");
    expect(r.map).toBeUndefined();
  });
});

describe("pointAtSource", () => {
  const e = env();
  const { sql, map } = render(e, "SELECT 1 AS a,\n  2 AS 😀b,, c\n");
  const origin = { file: "models/m.sql", rendered: [{ sql, map: map as SqlSourceMap }] };
  const wrapped = `CREATE VIEW grade.m AS\n${sql}`;

  it("maps PostgreSQL's position in the statement through the wrapper, counting characters", () => {
    // PostgreSQL counts the emoji as one character; JavaScript as two units.
    const position = [...wrapped].indexOf(",", [...wrapped].indexOf("b")) + 2;
    const error = pgError('syntax error at or near ","', { position: String(position), hint: "a hint" });
    expect(pointAtSource(error, wrapped, origin)).toBe(
      [
        'models/m.sql:6:12: syntax error at or near ","',
        "  6 |   2 AS 😀b,, c",
        "    |            ^",
        "  HINT: a hint",
      ].join("\n"),
    );
  });

  it("outside the template: names the origin and shows the statement's line; no position: one line", () => {
    const error = pgError('relation "grade.m" already exists', { position: "13" });
    expect(pointAtSource(error, wrapped, origin, "create view")).toBe(
      [
        'models/m.sql: create view: relation "grade.m" already exists',
        "  sql | CREATE VIEW grade.m AS",
        "      |             ^",
      ].join("\n"),
    );
    const declared = { file: "models/m.yml", line: 4, rendered: [] };
    expect(pointAtSource(pgError("division by zero", { detail: "d", hint: "h" }), wrapped, declared)).toBe(
      "models/m.yml:4: division by zero — d — h",
    );
    // A position that cannot be in this statement (another query failed) is ignored.
    expect(pointAtSource(pgError("boom", { position: "999" }), "SELECT 1", declared)).toBe(
      "models/m.yml:4: boom",
    );
  });

  it("uses internalPosition inside internalQuery, and cuts long lines around the caret", () => {
    const error = pgError('column "zz" does not exist', {
      internalPosition: "4",
      internalQuery: `SELECT ${"x, ".repeat(100)}zz`,
    });
    const shown = pointAtSource(error, "SELECT f()", { file: "models/m.sql", rendered: [] }).split("\n");
    expect(shown[0]).toBe('models/m.sql: column "zz" does not exist');
    expect(shown[1]).toBe(`  sql | SELECT ${"x, ".repeat(37)}x,…`);
    expect(shown[2]).toBe("      |    ^");
  });
});
