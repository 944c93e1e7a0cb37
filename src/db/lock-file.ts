import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";

export interface LockFileOwner {
  pid: number;
  host: string;
  since: string;
}

function readOwner(path: string): LockFileOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockFileOwner;
  } catch {
    return undefined;
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
 * Creates `path` exclusively (O_EXCL) with this process as owner. A lock left by a dead process on
 * this host (SIGKILL, power loss) is taken over. Returns undefined while a live process holds it.
 */
export function tryLockFile(path: string): (() => void) | undefined {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      const owner: LockFileOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(path);
      if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
        rmSync(path, { force: true });
        continue;
      }
      return undefined;
    }
  }
  return undefined;
}

export function lockFileOwner(path: string): LockFileOwner | undefined {
  return readOwner(path);
}
