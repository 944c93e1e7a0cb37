import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LockFileHandle, lockFileOwner, tryLockFile } from "../../src/db/lock-file.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), "elt-lockfile-")), "pgdata.lock");
}

/** A lock file as another process left it, its heartbeat `ageMs` old. */
function foreignLock(path: string, owner: { pid: number; host: string }, ageMs: number): void {
  writeFileSync(path, JSON.stringify({ ...owner, since: "2026-01-01T00:00:00.000Z", token: "theirs" }));
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
}

function hold(handle: LockFileHandle | undefined): LockFileHandle {
  expect(handle).toBeTypeOf("function");
  return handle as LockFileHandle;
}

describe("the embedded database's lock file", () => {
  it("is not taken while fresh and held by a live process or another host", () => {
    const path = lockPath();
    foreignLock(path, { pid: process.ppid, host: hostname() }, 0);
    expect(tryLockFile(path)).toBeUndefined();
    foreignLock(path, { pid: 1, host: "another-container" }, 5_000);
    expect(tryLockFile(path)).toBeUndefined();
    expect(lockFileOwner(path)?.token).toBe("theirs");
  });

  it("is taken over once its heartbeat is older than 30 s, whatever host or pid wrote it", () => {
    for (const owner of [
      { pid: 1, host: "another-container" },
      { pid: process.ppid, host: hostname() },
    ]) {
      const path = lockPath();
      foreignLock(path, owner, 31_000);
      const release = hold(tryLockFile(path));
      expect(lockFileOwner(path)).toMatchObject({ pid: process.pid, host: hostname() });
      release();
    }
  });

  it("is taken over at once when it names this process, which does not hold it (a previous container)", () => {
    const path = lockPath();
    foreignLock(path, { pid: process.pid, host: hostname() }, 0);
    hold(tryLockFile(path))();
  });

  it("is never taken twice by the process holding it", () => {
    const path = lockPath();
    const release = hold(tryLockFile(path));
    expect(tryLockFile(path)).toBeUndefined();
    release();
    hold(tryLockFile(path))();
  });

  it("keeps its heartbeat fresh while held, even when the main thread is blocked", async () => {
    const path = lockPath();
    const release = hold(tryLockFile(path, { heartbeatMs: 50 }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    // PGlite runs a statement synchronously on this thread; the heartbeat must not depend on it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(30_000);
    expect(tryLockFile(path)).toBeUndefined();
    release();
  });

  it("held() turns false once another process took the file over; release leaves theirs alone", () => {
    const path = lockPath();
    const release = hold(tryLockFile(path));
    expect(release.held()).toBe(true);
    foreignLock(path, { pid: 1, host: "another-container" }, 0);
    expect(release.held()).toBe(false);
    release();
    expect(lockFileOwner(path)?.token).toBe("theirs");
  });

  it("of two processes taking over one stale lock at once, exactly one gets it", () => {
    const path = lockPath();
    foreignLock(path, { pid: 1, host: "another-container" }, 60_000);
    let second: LockFileHandle | undefined;
    // The first judges the file stale; before it moves it, the second does the whole takeover.
    const first = tryLockFile(path, { beforeTakeover: () => (second = tryLockFile(path)) });
    expect(first).toBeUndefined();
    const winner = hold(second);
    expect(winner.held()).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    winner();
  });

  it("two real processes racing over 40 stale locks: each lock has exactly one winner", async () => {
    const paths = Array.from({ length: 40 }, () => {
      const path = lockPath();
      foreignLock(path, { pid: 1, host: "another-container" }, 60_000);
      return path;
    });
    const racers = [0, 1].map(() => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(PACKAGE_ROOT, "test/db/lock-file-racer.ts"), ...paths],
        { stdio: ["pipe", "pipe", "inherit"] },
      );
      let out = "";
      const lines = new Promise<string[]>((resolve) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const all = out.trim().split("\n");
          if (all.length >= 2) resolve(all);
        });
      });
      const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      return { child, ready, lines, closed: new Promise((r) => child.on("close", r)) };
    });
    await Promise.all(racers.map((r) => r.ready));
    const start = Date.now() + 300;
    for (const r of racers) r.child.stdin.write(`${start}\n`);
    const results = await Promise.all(
      racers.map(async (r) => JSON.parse((await r.lines)[1] as string) as boolean[]),
    );
    const owners = paths.map((path) => lockFileOwner(path)?.pid);
    for (const r of racers) r.child.stdin.end();
    await Promise.all(racers.map((r) => r.closed));
    const [a = [], b = []] = results;
    paths.forEach((_, i) => {
      expect([a[i], b[i]].filter(Boolean), `lock ${i}`).toHaveLength(1);
      expect(owners[i], `lock ${i}`).toBe((a[i] ? racers[0] : racers[1])?.child.pid);
    });
  });
});
