// A database outage that outlasts the retries is a failed run (exit 1, the failure email, the ledger
// row finished when the database is back in time), never "unexpected" (exit 3). The real binary
// reaches PostgreSQL through a TCP proxy the test pulls out while a download waits at the gate.
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { runElt } from "../helpers/cli.ts";
import { type GatedApi, startGatedApi } from "../helpers/gated-api.ts";
import { createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { emailYaml, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { type ReceivedMail, startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const CLIENT_KEY = "Cl1ent-K3y-outage";
const DB_PASSWORD = "Db-Pa55word-outage";

/** A TCP pass-through to PostgreSQL that the test can take down (every connection cut) and bring back. */
interface DbProxy {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function startDbProxy(target: URL): Promise<DbProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    port,
    down,
    async up() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: down,
  };
}

let sim: Simulator;
let api: GatedApi;
let smtp: TestSmtp;
let db: TestDatabase;
let proxy: DbProxy;
let onMail: ((m: ReceivedMail) => void | Promise<void>) | undefined;

function project(dbUrl: string): string {
  return tempProject({
    "project.yml": `
database:
  url: "${dbUrl}"
api:
  url: ${api.url}
  client: demo
  client_key: ${CLIENT_KEY}
  timeout_seconds: 10
  retries: 1
  retry_max_delay_seconds: 1
${SHIPPED_MODELS_YAML}
${emailYaml(smtp.url)}
`,
  });
}

/** The test database through the proxy, with a password trust auth ignores (it must never be printed). */
function proxiedUrl(): string {
  const url = new URL(db.url);
  url.port = String(proxy.port);
  url.password = DB_PASSWORD;
  return url.toString();
}

const query = <R>(sql: string, params: unknown[] = []) => queryRows<R>(db.url, sql, params);

const lastRun = async () =>
  (
    await query<{ id: number; status: string; error: string | null }>(
      "SELECT id, status, error FROM elt.runs ORDER BY id DESC LIMIT 1",
    )
  )[0];

beforeAll(async () => {
  [sim, smtp, db] = await Promise.all([
    startSimulator({ seed: 7, perDay: 300, clientKey: CLIENT_KEY }),
    startSmtp(undefined, (m) => onMail?.(m)),
    createTestDatabase("db_outage"),
  ]);
  [api, proxy] = await Promise.all([startGatedApi(sim.url), startDbProxy(new URL(db.url))]);
  // Migrations applied once, so each case starts from a working project.
  const ready = await runElt(["migrate", "--project-dir", project(proxiedUrl())]);
  expect(ready.code, ready.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.close(), sim?.close(), smtp?.close(), proxy?.close()]);
  await db?.drop();
});

describe("elt run: the database goes away", () => {
  it("during the extract, past the retries: exit 1, the failure email, and a finished 'failed' row once it is back", async () => {
    const dir = project(proxiedUrl());
    const mails = smtp.received.length;
    api.onNextRequest(() => proxy.down());
    // Back while the failure email is being delivered: the ledger update that follows can land.
    onMail = () => proxy.up();
    let result: Awaited<ReturnType<typeof runElt>>;
    try {
      result = await runElt(["run", "--date", "2026-11-10", "--project-dir", dir]);
    } finally {
      onMail = undefined;
      await proxy.up();
    }
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/unexpected error|^\s+at /m);
    expect(result.stderr).toMatch(/extract: .*database unavailable/);
    expect(result.stderr).not.toContain(DB_PASSWORD);
    const mail = smtp.received.slice(mails).find((m) => /failed/.test(m.mail.subject ?? ""));
    expect(mail?.mail.text).toMatch(/database unavailable/);
    const run = await lastRun();
    expect(run?.status).toBe("failed");
    expect(run?.error).toMatch(/^extract: database unavailable: /m);
  }, 60_000);

  it("for good: still exit 1 and the failure email (the row cannot be finished, and it says so)", async () => {
    const dir = project(proxiedUrl());
    const mails = smtp.received.length;
    api.onNextRequest(() => proxy.down());
    let result: Awaited<ReturnType<typeof runElt>>;
    try {
      result = await runElt(["run", "--date", "2026-11-11", "--project-dir", dir]);
    } finally {
      await proxy.up();
    }
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/unexpected error|^\s+at /m);
    expect(result.stderr).toMatch(/the ledger could not be updated/);
    expect(smtp.received.slice(mails).some((m) => /failed/.test(m.mail.subject ?? ""))).toBe(true);
  }, 60_000);

  it("unreachable from the start: exit 1, 'the database is unavailable' with no password, the email", async () => {
    await proxy.down();
    const mails = smtp.received.length;
    let result: Awaited<ReturnType<typeof runElt>>;
    try {
      result = await runElt(["run", "--date", "2026-11-12", "--project-dir", project(proxiedUrl())]);
    } finally {
      await proxy.up();
    }
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `cannot connect to postgres://127.0.0.1:${proxy.port}/${db.name}: the database is unavailable: connect ECONNREFUSED`,
    );
    expect(result.stderr).not.toContain(DB_PASSWORD);
    const mail = smtp.received.slice(mails).find((m) => /failed/.test(m.mail.subject ?? ""));
    // The text part wraps at 78 columns: read it as running text.
    expect(mail?.mail.text?.replace(/\s+/g, " ")).toMatch(
      /could not start: cannot connect to .*: the database is unavailable/,
    );
    expect(mail?.mail.text).not.toContain(DB_PASSWORD);
  }, 60_000);
});
