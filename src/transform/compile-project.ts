import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ProjectPlan } from "./plan-project.ts";

/**
 * Writes each selected model's rendered SQL to `<target>/compiled/<model path>` (the full build;
 * `<name>.incremental.sql` beside it when the incremental rendering differs) and each test's SQL to
 * `<target>/compiled/tests/<name>.sql`. Returns the files written.
 */
export function compileProject(plan: ProjectPlan, targetDir: string): string[] {
  const written: string[] = [];
  const write = (path: string, text: string) => {
    const file = join(targetDir, "compiled", path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  };
  for (const m of plan.models) {
    write(m.path, m.sql);
    if (m.incrementalSql !== m.sql) write(m.path.replace(/\.sql$/, ".incremental.sql"), m.incrementalSql);
  }
  for (const t of plan.tests) write(join("tests", `${t.name}.sql`), `${t.sql.replace(/\s+$/, "")}\n`);
  return written;
}
