// One embedded PostgreSQL for the whole suite (the same binaries `elt` runs with no database.url):
// the SQL-on-both tests create their databases in it, as they do on the machine's server.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { embeddedUrl } from "../src/db/embedded-database.ts";
import { ensureEmbeddedServer, stopEmbeddedServer } from "../src/db/embedded-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the suite's embedded PostgreSQL (Unix socket). */
    embeddedAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "elt-test-embedded-"));
  // As root the server runs as `postgres`, which must reach the data folder (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  const dataDir = join(dir, "pgdata");
  const server = await ensureEmbeddedServer(dataDir);
  project.provide("embeddedAdminUrl", embeddedUrl(server));
  return async () => {
    await stopEmbeddedServer(dataDir);
    rmSync(dir, { recursive: true, force: true });
  };
}
