// `--help` a person reads: every command's usage line names the whole command, each default is said
// once, every command shows an example that uses only its own options, and there are colour codes
// only for a terminal without NO_COLOR. The real binary, from a folder with no project in it.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ELT_BIN, runElt } from "../helpers/cli.ts";

const ESC = "\u001B[";
const cwd = mkdtempSync(join(tmpdir(), "elt-help-"));

/** The lines of a `--help` section (`OPTIONS`, `COMMANDS`, …), without its blank lines. */
function section(help: string, title: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === "") break;
    out.push(line.trim());
  }
  return out;
}

/** Every command, from `elt --help` down through each COMMANDS section. */
async function allCommands(): Promise<Map<string, string>> {
  const helps = new Map<string, string>();
  const queue: string[][] = [[]];
  while (queue.length > 0) {
    const words = queue.shift() as string[];
    const { code, stdout } = await runElt([...words, "--help"], { cwd });
    expect(code, `elt ${words.join(" ")} --help`).toBe(0);
    helps.set(words.join(" "), stdout);
    for (const line of section(stdout, "COMMANDS")) queue.push([...words, line.split(/\s+/)[0] as string]);
  }
  return helps;
}

/** `script` gives the command a terminal: stdout is a TTY there, as for a person. */
function inTerminal(args: string[], env: Record<string, string>): string {
  const command = [process.execPath, ELT_BIN, ...args].map((a) => `'${a}'`).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "xterm-256color", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.status).toBe(0);
  return result.stdout;
}

describe("elt --help", () => {
  it("every command: the whole command in its usage line, each default once, an example using its own options", async () => {
    const helps = await allCommands();
    expect([...helps.keys()]).toEqual(
      expect.arrayContaining([
        "",
        "run",
        "model",
        "model build",
        "model list",
        "dev api",
        "status",
        "export",
      ]),
    );
    for (const [words, help] of helps) {
      const name = `elt${words ? ` ${words}` : ""}`;
      const usage = help.split("\n").find((l) => l.startsWith("USAGE"));
      expect(usage, name).toMatch(new RegExp(`^USAGE\\s+${name}(\\s|$)`));
      for (const line of help.split("\n")) {
        expect(line.match(/\(default\b/gi)?.length ?? 0, `${name}: ${line}`).toBeLessThanOrEqual(1);
      }
      const example = section(help, "EXAMPLE");
      expect(example, `${name} has one example`).toHaveLength(1);
      expect(example[0]?.startsWith(`${name} `) || example[0] === name, `${name}: ${example[0]}`).toBe(true);
      // The example's command exists, and its options are the ones that command lists.
      const exampleWords = (example[0] as string).split(" ").slice(1);
      const target = exampleWords.filter((w) => /^[a-z]+$/.test(w)).slice(0, 2);
      const targetHelp = helps.get(target.join(" ")) ?? helps.get(target.slice(0, 1).join(" "));
      expect(targetHelp, `${name}: ${example[0]}`).toBeDefined();
      const options = section(targetHelp as string, "OPTIONS").join("\n");
      for (const flag of exampleWords.filter((w) => w.startsWith("--"))) {
        expect(options, `${name}: ${example[0]}`).toContain(flag.split("=")[0]);
      }
    }
    // The old citty page said the default twice: `(default: the current folder) (Default: .)`.
    expect(helps.get("model build")).toContain("--project-dir=<dir>  ");
    expect(helps.get("model build")).toMatch(/USAGE\s+elt model build \[OPTIONS\]/);
  });

  it("has no colour codes when stdout is not a terminal, even without NO_COLOR", async () => {
    for (const args of [["--help"], ["model", "build", "--help"], ["frobnicate"], ["status", "--nope"]]) {
      const r = await runElt(args, { cwd, env: { NO_COLOR: undefined } });
      expect(r.stdout, args.join(" ")).not.toContain(ESC);
      expect(r.stderr, args.join(" ")).not.toContain(ESC);
    }
  });

  it("colours for a terminal, and not when NO_COLOR is set", () => {
    expect(inTerminal(["model", "build", "--help"], {})).toContain(ESC);
    for (const value of ["1", "true"]) {
      const plain = inTerminal(["model", "build", "--help"], { NO_COLOR: value });
      expect(plain).toContain("elt model build [OPTIONS]");
      expect(plain).not.toContain(ESC);
    }
  });
});
