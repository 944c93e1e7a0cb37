import type { ArgDef, CommandDef } from "citty";
import { commandMeta } from "./command-meta.ts";

declare module "citty" {
  interface CommandMeta {
    /** One typical command line, shown under EXAMPLE by `--help`: every command has one. */
    example: string;
  }
}

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);

async function resolved<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** The (sub)command the arguments name and the words that lead to it: `["elt", "model", "build"]`. */
export async function resolveCommand(
  root: CommandDef,
  rawArgs: string[],
): Promise<{ cmd: CommandDef; path: string[] }> {
  let cmd = root;
  const path = [(await resolved(root.meta ?? { example: "" })).name ?? "elt"];
  for (const arg of rawArgs) {
    if (arg.startsWith("-")) break;
    const subs = cmd.subCommands ? await resolved(cmd.subCommands) : undefined;
    const next = subs?.[arg];
    if (!next) break;
    cmd = (await resolved(next)) as CommandDef;
    path.push(arg);
  }
  return { cmd, path };
}

/**
 * Colour only for a person at a terminal: never when stdout is a pipe or a file (cron, `| less`,
 * tests), nor when NO_COLOR is set to anything (no-color.org) or TERM is dumb.
 */
export function colorWanted(
  stream: { isTTY?: boolean } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

const sgr = (open: number, close: number) => (text: string) => `\u001B[${open}m${text}\u001B[${close}m`;
const PLAIN = { bold: (t: string) => t, cyan: (t: string) => t, gray: (t: string) => t };
const COLORED = { bold: sgr(1, 22), cyan: sgr(36, 39), gray: sgr(90, 39) };

function valueHint(name: string, def: ArgDef): string {
  if (def.type === "boolean" || def.type === "positional") return def.valueHint ? `=<${def.valueHint}>` : "";
  if (def.type === "enum" && def.options?.length) return `=<${def.options.join("|")}>`;
  return `=<${def.valueHint ?? name}>`;
}

/** The description with its default said once: in the description's words when it gives one. */
function describe(def: ArgDef, required: boolean): string {
  const parts = [def.description ?? ""];
  if (required) parts.push("(required)");
  const saysDefault = /\(default\b/i.test(def.description ?? "");
  if (def.default !== undefined && def.type !== "boolean" && !saysDefault) {
    parts.push(`(default: ${String(def.default)})`);
  }
  return parts.filter(Boolean).join(" ");
}

function columns(rows: [string, string][], paint: (s: string) => string): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) =>
    `  ${paint(left)}${" ".repeat(width - left.length)}  ${right}`.trimEnd(),
  );
}

/**
 * `--help` for a command: its description, the usage line with the whole command path
 * (`elt model build [OPTIONS]`), arguments and options with each default said once, subcommands,
 * and the command's example.
 */
export async function renderUsage(
  cmd: CommandDef,
  path: string[],
  options: { color: boolean; version?: string },
): Promise<string> {
  const c = options.color ? COLORED : PLAIN;
  const meta = await resolved(cmd.meta ?? { example: "" });
  const args = Object.entries((cmd.args ? await resolved(cmd.args) : undefined) ?? {});
  const name = path.join(" ");
  const positionals: [string, string][] = [];
  const flags: [string, string][] = [];
  const usage: string[] = [];
  for (const [argName, def] of args) {
    if (def.type === "positional") {
      const required = def.required !== false && def.default === undefined;
      positionals.push([`${argName.toUpperCase()}${valueHint(argName, def)}`, describe(def, required)]);
      usage.push(required ? `<${argName.toUpperCase()}>` : `[${argName.toUpperCase()}]`);
    } else {
      const required = def.required === true && def.default === undefined;
      const alias = "alias" in def && def.alias ? [def.alias].flat() : [];
      const flag = [...alias.map((a) => `-${a}`), `--${argName}`].join(", ") + valueHint(argName, def);
      flags.push([flag, describe(def, required)]);
      if (required) usage.push(`--${argName}${valueHint(argName, def)}`);
    }
  }
  const commands: [string, string][] = [];
  if (cmd.subCommands) {
    for (const [subName, sub] of Object.entries(await resolved(cmd.subCommands))) {
      // From the table when it has the command: listing them loads none of them.
      const subMeta =
        commandMeta([...path.slice(1), subName]) ??
        (await resolved((await resolved(sub)).meta ?? { example: "" }));
      if (subMeta.hidden) continue;
      commands.push([subName, subMeta.description ?? ""]);
    }
    usage.push(commands.map(([n]) => n).join("|"));
  }
  const options_ = positionals.length > 0 || flags.length > 0 ? " [OPTIONS]" : "";
  const heading = (text: string) => c.bold(text);
  const lines = [
    c.gray(`${meta.description ?? ""} (${name}${options.version ? ` v${options.version}` : ""})`),
    "",
    `${heading("USAGE")}  ${c.cyan(`${name}${options_}${usage.length > 0 ? ` ${usage.join(" ")}` : ""}`)}`,
    "",
  ];
  const section = (title: string, rows: [string, string][]) => {
    if (rows.length === 0) return;
    lines.push(heading(title), "", ...columns(rows, c.cyan), "");
  };
  section("ARGUMENTS", positionals);
  section("OPTIONS", flags);
  section("COMMANDS", commands);
  if (commands.length > 0) {
    lines.push(`Use ${c.cyan(`${name} <command> --help`)} for more about a command.`, "");
  }
  if (meta.example) lines.push(heading("EXAMPLE"), "", `  ${c.cyan(meta.example)}`, "");
  return lines.join("\n");
}
