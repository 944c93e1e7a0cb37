// Holds a project's lock like a long `elt run` would, until its stdin closes or `ms` pass.
// Usage: node --import tsx test/helpers/hold-lock.ts <projectDir> <ms>
import { resolve } from "node:path";
import { loadProject } from "../../src/config/load-project.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { acquireProjectLock } from "../../src/db/project-lock.ts";

const [dir = ".", ms = "5000"] = process.argv.slice(2);
const { config } = loadProject(dir);
const db = await openDatabase({
  url: config.database.url,
  embeddedDir: resolve(dir, config.database.embedded_dir),
});
const release = await acquireProjectLock(db, 0);
console.log("locked");
await new Promise((r) => setTimeout(r, Number(ms)));
await release();
await db.close();
console.log("released");
