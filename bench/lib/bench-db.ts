import pg from "pg";

/** The machine's PostgreSQL (trust auth); BENCH_ADMIN_URL points elsewhere. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  url: string;
  /** The same database as psql arguments: `-h host -p port -U user -d name`. */
  psqlArgs: string[];
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `elt_bench_<name>` on the benchmark server, whether it exists or not. */
export function benchDatabase(name: string): BenchDatabase {
  const db = `elt_bench_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  return {
    name: db,
    url: url.toString(),
    psqlArgs: [
      "-h",
      url.hostname,
      "-p",
      url.port || "5432",
      "-U",
      decodeURIComponent(url.username || "postgres"),
      "-d",
      db,
    ],
    drop: () =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      }),
  };
}

export async function databaseExists(name: string): Promise<boolean> {
  return admin(
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1,
  );
}

/**
 * A fresh `elt_bench_<name>` database (a leftover of a killed run is dropped first), so benchmarks
 * never touch the tests' databases or each other's.
 */
export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const db = benchDatabase(name);
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${db.name}"`);
  });
  return db;
}

/** The server's version line, for the result files. */
export async function serverVersion(): Promise<string> {
  return admin(async (c) => {
    const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return `PostgreSQL ${rows[0]?.v ?? "?"}`;
  });
}
