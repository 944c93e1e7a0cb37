// Concurrency tests must prove the overlap they claim: the lock is held from outside until every
// command under test has connected (its log says so), and only then let go.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { advisoryKey } from "../../src/db/advisory-key.ts";

/** Holds elt's named advisory lock (e.g. "project") on its own connection until released. */
export async function holdAdvisoryLock(url: string, name: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("SELECT pg_advisory_lock($1)", [advisoryKey(name)]);
  return async () => {
    await client.query("SELECT pg_advisory_unlock($1)", [advisoryKey(name)]);
    await client.end();
  };
}

/** The text of every dated log file in a folder (missing folder: empty). */
export function logText(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("");
  } catch {
    return "";
  }
}

/** Waits until `pattern` occurs `times` times in the folder's logs; throws after `timeoutMs`. */
export async function waitForLog(
  dir: string,
  pattern: RegExp,
  times: number,
  timeoutMs = 60_000,
): Promise<void> {
  const started = Date.now();
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`,
  );
  for (;;) {
    const n = logText(dir).match(global)?.length ?? 0;
    if (n >= times) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`log never showed ${pattern} ${times} times (saw ${n})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
