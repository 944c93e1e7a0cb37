import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { Worker } from "node:worker_threads";

export interface LockFileOwner {
  pid: number;
  host: string;
  since: string;
  /** Unique per acquisition: pids repeat (pid 1 in every container), tokens do not. */
  token?: string;
}

/** The held lock file: calling it releases the lock; `held()` says whether the file is still ours. */
export interface LockFileHandle {
  (): void;
  held(): boolean;
}

export interface LockFileOptions {
  /** A lock whose heartbeat (mtime) is older than this is stale whoever wrote it. Default 30 s. */
  staleMs?: number;
  /** How often the holder refreshes the mtime. Default 5 s. */
  heartbeatMs?: number;
  /** Test hook: runs after a lock was judged stale and before it is moved aside. */
  beforeTakeover?: () => void;
}

/** Lock files this process holds (path → token), so it never takes over its own lock. */
const heldHere = new Map<string, string>();
/** Releases of the locks still held, run when the process exits without closing them. */
const releaseAtExit = new Set<() => void>();
let exitHookInstalled = false;

function readOwner(path: string): LockFileOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockFileOwner;
  } catch {
    return undefined;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A lock nobody holds any more: its heartbeat stopped (whatever host wrote it: containers get a
 * new hostname per run and pid 1 always looks alive), or, on this host, its process is gone, or it
 * names this very process without this process holding it (a previous container with the same pid).
 */
function isStale(path: string, owner: LockFileOwner | undefined, stat: Stats, staleMs: number): boolean {
  if (Date.now() - stat.mtimeMs > staleMs) return true;
  // Unreadable and fresh: its creator is between creating and writing it.
  if (!owner || owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(path);
  return !isAlive(owner.pid);
}

// Runs in a worker thread so the heartbeat goes on while the main thread is busy for long: PGlite
// executes a statement synchronously on it. Stops once the file is gone or holds another token.
const HEARTBEAT = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
setInterval(() => {
  let owner;
  try {
    owner = JSON.parse(fs.readFileSync(workerData.path, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") process.exit(0);
    return;
  }
  if (owner.token !== workerData.token) process.exit(0);
  try {
    const now = new Date();
    fs.utimesSync(workerData.path, now, now);
  } catch {}
}, workerData.intervalMs);
`;

function startHeartbeat(path: string, token: string, intervalMs: number): Worker {
  const worker = new Worker(HEARTBEAT, { eval: true, workerData: { path, token, intervalMs } });
  worker.unref();
  worker.on("error", () => {});
  return worker;
}

function create(path: string, options: LockFileOptions): LockFileHandle {
  const token = randomBytes(12).toString("hex");
  const fd = openSync(path, "wx");
  try {
    const owner: LockFileOwner = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      token,
    };
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  heldHere.set(path, token);
  const heartbeat = startHeartbeat(path, token, options.heartbeatMs ?? 5_000);
  const held = () => readOwner(path)?.token === token;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    releaseAtExit.delete(release);
    void heartbeat.terminate();
    if (heldHere.get(path) === token) heldHere.delete(path);
    if (held()) rmSync(path, { force: true });
  };
  releaseAtExit.add(release);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const r of [...releaseAtExit]) r();
    });
  }
  return Object.assign(release, { held });
}

/**
 * Moves a stale lock aside under a unique name: of two processes taking it over at once, only one
 * rename finds it. If what was moved is not the file judged stale (another process took over and
 * created its own in between), it is put back. Returns the aside name, to delete after creating ours
 * (not before: a freed inode could be reused by the next lock file and defeat the identity check).
 */
function moveAside(path: string, judged: Stats, judgedOwner: LockFileOwner | undefined): string | undefined {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const moved = statSync(aside);
  const same =
    moved.ino === judged.ino &&
    moved.dev === judged.dev &&
    moved.mtimeMs === judged.mtimeMs &&
    readOwner(aside)?.token === judgedOwner?.token;
  if (same) return aside;
  try {
    linkSync(aside, path);
  } catch {
    // A third process created a lock meanwhile; the one moved here has lost it (its held() says so).
  }
  rmSync(aside, { force: true });
  return undefined;
}

/**
 * Creates `path` exclusively (O_EXCL) with this process as owner and keeps its mtime fresh while
 * held. A stale lock (see isStale) is taken over. Returns undefined while someone else holds it.
 */
export function tryLockFile(lockPath: string, options: LockFileOptions = {}): LockFileHandle | undefined {
  const path = resolve(lockPath);
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let aside: string | undefined;
    const stat = statOrUndefined(path);
    if (stat) {
      const owner = readOwner(path);
      if (!isStale(path, owner, stat, options.staleMs ?? 30_000)) return undefined;
      options.beforeTakeover?.();
      aside = moveAside(path, stat, owner);
      if (!aside) return undefined;
    }
    try {
      return create(path, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      if (aside) rmSync(aside, { force: true });
    }
  }
  return undefined;
}

export function lockFileOwner(path: string): LockFileOwner | undefined {
  return readOwner(resolve(path));
}
