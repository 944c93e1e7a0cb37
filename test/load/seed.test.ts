import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { ConfigError } from "../../src/errors.ts";
import { loadSeed } from "../../src/load/seed-load.ts";
import { inferType, planSeed, planSeeds } from "../../src/load/seed-plan.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

const FILES = {
  "seeds/courses.csv":
    'code,label,active,since,weight,opened_at\n1,"Курс, первый",true,2024-01-01,1.5,2024-01-01 10:00:00\n2,"it\'s ""quoted""",false,,,\n',
  "seeds/courses.yml": "schema: ref\ncolumn_types:\n  code: int\n",
  "seeds/tags.csv": "tag\nalpha\n",
};

describe("seed plans", () => {
  it("infers types, honours the sidecar, turns empty cells into NULL", () => {
    const dir = tempProject(FILES);
    const [courses, tags] = planSeeds(join(dir, "seeds"));
    expect(courses?.schema).toBe("ref");
    expect(courses?.columns).toEqual([
      { name: "code", type: "int" },
      { name: "label", type: "text" },
      { name: "active", type: "boolean" },
      { name: "since", type: "date" },
      { name: "weight", type: "numeric" },
      { name: "opened_at", type: "timestamp" },
    ]);
    expect(courses?.rows[1]).toEqual(["2", `it's "quoted"`, "false", null, null, null]);
    expect(tags).toMatchObject({ schema: "seeds", table: "tags" });
    expect(inferType(["1", "x"])).toBe("text");
    expect(inferType([null, null])).toBe("text");
  });

  it("rejects a sidecar naming an unknown column or key", () => {
    const dir = tempProject({ "seeds/a.csv": "x\n1\n", "seeds/a.yml": "column_types:\n  y: int\n" });
    expect(() => planSeed(join(dir, "seeds/a.csv"))).toThrow(ConfigError);
    const dir2 = tempProject({ "seeds/a.csv": "x\n1\n", "seeds/a.yml": "colum_types: {}\n" });
    expect(() => planSeed(join(dir2, "seeds/a.csv"))).toThrow(/a\.yml: .*colum_types/);
  });
});

let pgdb: TestDatabase;
let embdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("seed");
  embdb = await createTestDatabase("seed", embeddedAdminUrl());
});
afterAll(async () => {
  await pgdb?.drop();
  await embdb?.drop();
});

describe.each([
  ["PostgreSQL", () => openDatabase({ url: pgdb.url, embeddedDir: "unused" })],
  ["embedded PostgreSQL", () => openDatabase({ url: embdb.url, embeddedDir: "unused" })],
])("loading seeds on %s", (_name, open) => {
  it("replaces contents in one transaction and keeps dependent views when the shape holds", async () => {
    const db: Database = await open();
    try {
      const dir = tempProject(FILES);
      const plan = planSeed(join(dir, "seeds/courses.csv"));
      expect(await loadSeed(db, plan)).toBe(2);
      await db.query("CREATE VIEW ref.course_labels AS SELECT label FROM ref.courses");
      expect(await loadSeed(db, { ...plan, rows: [plan.rows[0] ?? []] })).toBe(1);
      const { rows } = await db.query("SELECT code, label, active, since, weight FROM ref.courses");
      expect(rows).toEqual([
        { code: 1, label: "Курс, первый", active: true, since: "2024-01-01", weight: 1.5 },
      ]);
      expect((await db.query("SELECT count(*)::int AS n FROM ref.course_labels")).rows).toEqual([{ n: 1 }]);

      // A bad value fails the whole load and leaves the previous contents.
      await expect(loadSeed(db, { ...plan, rows: [["x", "a", "true", null, null, null]] })).rejects.toThrow();
      expect((await db.query("SELECT count(*)::int AS n FROM ref.courses")).rows).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
    }
  });
});
