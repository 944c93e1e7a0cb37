// The embedded PostgreSQL's lifecycle (issue 11): started on demand, on a Unix socket only, shared by
// elt processes, stopped by the last one, and nothing a killed process leaves behind blocks the next.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDatabase } from "../../src/db/embedded-database.ts";
import {
  reachableBinaries,
  readPostmasterPid,
  runningPid,
  socketDirFor,
  stopEmbeddedServer,
} from "../../src/db/embedded-server.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { acquireProjectLock } from "../../src/db/project-lock.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { tempProject } from "../helpers/project.ts";

configureLogging({ level: "silent" });

// A project folder as mkdtemp makes it (0700): as root the server still gets through (setpriv).
const project = tempProject({ "project.yml": "name: lifecycle\n" });
const dataDir = join(project, ".elt", "pgdata");

const running = () => runningPid(dataDir) !== undefined;

/** The last user does not wait for the shutdown checkpoint: the server is gone soon after. */
async function stopped(dir = dataDir): Promise<boolean> {
  for (let i = 0; i < 200 && runningPid(dir) !== undefined; i++) await new Promise((r) => setTimeout(r, 50));
  return runningPid(dir) === undefined;
}

afterAll(async () => {
  await stopEmbeddedServer(dataDir);
});

/** Holds the project lock on the embedded database in another process until killed. */
function holder(): Promise<{ pid: number; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(PACKAGE_ROOT, "test/helpers/hold-lock.ts"), project, "600000"],
    { env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise((r) => child.on("close", r));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("locked")) resolve({ pid: child.pid as number, exited });
    });
    exited.then((code) => reject(new Error(`holder exited early (${code})`)));
  });
}

describe("the embedded PostgreSQL", () => {
  it("is created and started on demand, on a Unix socket only, and stopped by its last user; data survives", async () => {
    expect(running()).toBe(false);
    const db = await openDatabase({ embeddedDir: dataDir });
    try {
      expect(running()).toBe(true);
      const { rows } = await db.query<{ listen: string; addr: string | null; version: number }>(
        "SELECT current_setting('listen_addresses') AS listen, inet_server_addr()::text AS addr, current_setting('server_version_num')::int AS version",
      );
      expect(rows[0]).toEqual({ listen: "", addr: null, version: expect.any(Number) });
      expect(Math.floor(Number(rows[0]?.version) / 10000)).toBe(17);
      expect(existsSync(join(`${dataDir}.run`, ".s.PGSQL.5432"))).toBe(true);
      expect(socketDirFor(dataDir)).toBe(`${dataDir}.run`);
      expect(db.description).toBe(`embedded PostgreSQL (${dataDir})`);
      await db.query("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
    } finally {
      await db.close();
    }
    expect(await stopped()).toBe(true);

    const again = await openDatabase({ embeddedDir: dataDir });
    try {
      expect((await again.query("SELECT n FROM kept")).rows).toEqual([{ n: 42 }]);
    } finally {
      await again.close();
    }
    expect(await stopped()).toBe(true);
  });

  it("is shared: a second user keeps it running until it is done too", async () => {
    const a = await embeddedDatabase({ dataDir });
    const b = await embeddedDatabase({ dataDir });
    const pid = readPostmasterPid(dataDir)?.pid;
    await a.close();
    expect(running()).toBe(true);
    expect(readPostmasterPid(dataDir)?.pid).toBe(pid);
    expect((await b.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await b.close();
    expect(await stopped()).toBe(true);
  });

  it("users coming and going while it starts and stops never get a server that is going away", async () => {
    // Four "commands" in a loop: each opens, queries and closes; whenever one is last out it stops
    // the server while others are arriving. Every query must succeed.
    const worker = async (n: number) => {
      for (let i = 0; i < 5; i++) {
        const db = await embeddedDatabase({ dataDir });
        try {
          expect((await db.query<{ n: number }>("SELECT $1::int AS n", [n])).rows).toEqual([{ n }]);
        } finally {
          await db.close();
        }
      }
    };
    await Promise.all([1, 2, 3, 4].map(worker));
    expect(await stopped()).toBe(true);
  }, 120_000);

  it("a command killed with SIGKILL leaves nothing that blocks the next: its server is reused, its lock gone", async () => {
    const killed = await holder();
    const orphan = readPostmasterPid(dataDir)?.pid;
    expect(running()).toBe(true);
    process.kill(killed.pid, "SIGKILL");
    await killed.exited;
    // The server outlives the killed process (it was started detached) and is reused.
    expect(running()).toBe(true);
    const db = await openDatabase({ embeddedDir: dataDir });
    try {
      expect(readPostmasterPid(dataDir)?.pid).toBe(orphan);
      const lock = await acquireProjectLock(db, 10_000);
      await lock.release();
    } finally {
      await db.close();
    }
    expect(await stopped()).toBe(true);
  });

  /** A pid that is certainly dead: a process that has exited. */
  const deadPid = async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("close", r));
    return dead.pid as number;
  };

  it.each([
    ["pid is dead (the server died)", deadPid],
    // This test process: alive, and not a postmaster of this folder.
    ["pid now belongs to another process (after a reboot)", async () => process.pid],
  ])("a stale postmaster.pid whose %s does not stop the next start", async (_case, stalePid) => {
    const pid = await stalePid();
    writeFileSync(
      join(dataDir, "postmaster.pid"),
      `${pid}\n${dataDir}\n0\n5432\n${dataDir}.run\n\n0 0\nready\n`,
    );
    const db = await openDatabase({ embeddedDir: dataDir });
    try {
      expect((await db.query("SELECT n FROM kept")).rows).toEqual([{ n: 42 }]);
      expect(readPostmasterPid(dataDir)?.pid).not.toBe(pid);
    } finally {
      await db.close();
    }
    expect(await stopped()).toBe(true);
  });

  it("as root, binaries under a folder the server's account cannot enter are mirrored where it can", async () => {
    if (process.getuid?.() !== 0) return; // only root switches accounts
    const { execFileSync } = await import("node:child_process");
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    const account = { uid: id("-u"), gid: id("-g") };
    // A package as npm leaves it, under a folder only root may enter (a clone in `mktemp -d`).
    const closed = mkdtempSync(join(tmpdir(), "elt-closed-"));
    const version = `0.0.0-test-${process.pid}`;
    const native = join(closed, "pkg", "native");
    mkdirSync(join(native, "bin"), { recursive: true });
    mkdirSync(join(native, "lib"));
    writeFileSync(join(closed, "pkg", "package.json"), JSON.stringify({ version }));
    for (const name of ["postgres", "initdb", "pg_ctl"])
      writeFileSync(join(native, "bin", name), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(native, "lib", "libpq.so.5.17"), "x");
    symlinkSync("libpq.so.5.17", join(native, "lib", "libpq.so.5"));
    const at = (name: string) => join(native, "bin", name);
    const bin = reachableBinaries(
      { postgres: at("postgres"), initdb: at("initdb"), pg_ctl: at("pg_ctl") },
      account,
    );
    try {
      expect(bin.initdb.startsWith(join(tmpdir(), `elt-postgres-${version}-`))).toBe(true);
      // The postgres account reaches and runs it there (access() as that account, as initdb checks).
      execFileSync("setpriv", [
        `--reuid=${account.uid}`,
        `--regid=${account.gid}`,
        "--init-groups",
        "test",
        "-x",
        bin.initdb,
      ]);
      expect(readlinkSync(join(dirname(dirname(bin.initdb)), "lib", "libpq.so.5"))).toBe("libpq.so.5.17");
      // Where it already is reachable, nothing is mirrored.
      expect(reachableBinaries(bin, account)).toEqual(bin);
    } finally {
      rmSync(dirname(dirname(bin.initdb)), { recursive: true, force: true });
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it("uses a short socket folder when the project's path is too long for a Unix socket", async () => {
    const deep = join(tmpdir(), `elt-deep-${process.pid}`, "a".repeat(60), "b".repeat(40));
    mkdirSync(deep, { recursive: true });
    const deepData = join(deep, ".elt", "pgdata");
    expect(socketDirFor(deepData)).toBeUndefined();
    const db = await openDatabase({ embeddedDir: deepData });
    try {
      expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      // A fresh private folder (not a name another user could make first), short enough.
      const socketDir = readPostmasterPid(deepData)?.socketDir ?? "";
      expect(socketDir.startsWith(join(tmpdir(), "elt-pg-"))).toBe(true);
      expect(join(socketDir, ".s.PGSQL.5432").length).toBeLessThan(108);
    } finally {
      await db.close();
    }
    expect(await stopped(deepData)).toBe(true);
  });
});
