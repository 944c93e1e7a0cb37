import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

export interface CommandRunner {
  /** Runs `command args…` to completion; rejects with its stderr when it exits non-zero. */
  run(command: string, args: readonly string[]): Promise<void>;
  close(): void;
}

const DONE = "__command_runner_done";

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs commands from one long-lived shell, so the benchmark process forks once instead of once per
 * command. A fork write-protects every page of this (large) process, and the copy-on-write faults
 * that follow cost the next in-process measurement a third of a second or more (measured on the
 * landing bench: 17-24k minor faults and +0.3-0.5 s of CPU after each `psql` spawned directly).
 */
export function startCommandRunner(): CommandRunner {
  const shell: ChildProcessWithoutNullStreams = spawn("/bin/sh", [], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let waiting: { resolve: () => void; reject: (e: Error) => void; what: string } | undefined;
  shell.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
    const m = new RegExp(`${DONE} (\\d+)\\n`).exec(stdout);
    if (!m || !waiting) return;
    const done = waiting;
    waiting = undefined;
    const code = Number(m[1]);
    const error = stderr;
    stdout = "";
    stderr = "";
    if (code === 0) done.resolve();
    else done.reject(new Error(`${done.what} exited with ${code}: ${error.trim()}`));
  });
  shell.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  return {
    run(command, args) {
      if (waiting) return Promise.reject(new Error("one command at a time"));
      return new Promise<void>((resolve, reject) => {
        waiting = { resolve, reject, what: command };
        shell.stdin.write(`${[command, ...args].map(quote).join(" ")} </dev/null; echo "${DONE} $?"\n`);
      });
    },
    close() {
      shell.stdin.end();
    },
  };
}
