import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROJECT_DIR, tempDir } from "./bench-project.ts";

/** Folders of the shipped project a run reads (linked, so the benchmark runs the real models). */
const LINKED = ["models", "macros", "tests", "seeds"];

export interface TempProject {
  dir: string;
  embeddedDir: string;
  remove(): void;
}

/**
 * A throwaway project folder for the real binary: the shipped models linked in, a project.yml
 * pointing at the benchmark's database (or an embedded one inside the folder) and API, exporters
 * unconfigured, logs inside the folder.
 */
export function tempProject(o: { databaseUrl?: string; apiUrl: string; prefix: string }): TempProject {
  const tmp = tempDir(o.prefix);
  for (const name of LINKED) {
    const target = join(PROJECT_DIR, name);
    if (existsSync(target)) symlinkSync(target, join(tmp.dir, name), "dir");
  }
  mkdirSync(join(tmp.dir, "logs"));
  const config = {
    name: "bench",
    database: { url: o.databaseUrl ?? "", embedded_dir: ".elt/pgdata" },
    api: { url: o.apiUrl, client: "demo", client_key: "demo-key", retries: 0 },
    logs: { dir: "logs", level: "info" },
  };
  writeFileSync(join(tmp.dir, "project.yml"), stringify(config));
  return { dir: tmp.dir, embeddedDir: join(tmp.dir, ".elt/pgdata"), remove: tmp.remove };
}
