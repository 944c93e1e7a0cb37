import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { type CommandDef, defineCommand, runCommand } from "citty";
import { errorMessage, knownError } from "../errors.ts";
import { commandLine, log, logFileConfigured, logWriteError, probeLogFile } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import { COMMAND_META } from "./command-meta.ts";
import { colorWanted, renderUsage, resolveCommand } from "./usage.ts";

const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
  version: string;
};

const main = defineCommand({
  meta: { ...COMMAND_META[""], version },
  subCommands: {
    run: () => import("./run.ts").then((m) => m.default),
    extract: () => import("./extract.ts").then((m) => m.default),
    model: () => import("./model/index.ts").then((m) => m.default),
    test: () => import("./test.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
    migrate: () => import("./migrate.ts").then((m) => m.default),
    seed: () => import("./seed.ts").then((m) => m.default),
    status: () => import("./status.ts").then((m) => m.default),
    docs: () => import("./docs/index.ts").then((m) => m.default),
    dev: () => import("./dev/index.ts").then((m) => m.default),
  },
});

/** `--help` of the command the arguments name, on stdout. */
async function printUsage(rawArgs: string[]): Promise<void> {
  const { cmd, path } = await resolveCommand(main as CommandDef, rawArgs);
  process.stdout.write(`${await renderUsage(cmd, path, { color: colorWanted(), version })}\n`);
}

/** citty ignores flags it does not know; a mistyped `--dat` must not silently run something else. */
async function unknownFlags(rawArgs: string[]): Promise<string[]> {
  const { cmd } = await resolveCommand(main as CommandDef, rawArgs);
  const defs = (typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {};
  const known = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    known.add(name);
    if (def.type === "boolean") known.add(`no-${name}`);
    const alias = (def as { alias?: string | string[] }).alias;
    for (const a of Array.isArray(alias) ? alias : alias ? [alias] : []) known.add(a);
  }
  const unknown: string[] = [];
  for (const arg of rawArgs) {
    if (arg === "--") break;
    const m = /^--?([^=]+)/.exec(arg);
    if (!m || /^-\d/.test(arg)) continue;
    const name = m[1] as string;
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!known.has(name) && !known.has(camel)) unknown.push(arg.split("=")[0] as string);
  }
  return unknown;
}

/**
 * An error stopped the command before the project set up its log file (a usage mistake, a
 * project.yml that does not load): the dated log file gets it too, for whoever reads that after cron.
 */
async function logErrorsToFile(rawArgs: string[]): Promise<void> {
  if (logFileConfigured()) return;
  const { openErrorLog } = await import("./error-log.ts");
  openErrorLog(rawArgs);
}

// citty's runMain exits 1 on every error and never reaches our log file; exit codes must differ.
async function cli(rawArgs: string[]): Promise<number> {
  if (rawArgs.length === 0 || rawArgs.includes("--help") || rawArgs.includes("-h")) {
    await printUsage(rawArgs);
    return rawArgs.length === 0 ? 2 : 0;
  }
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
    console.log(version);
    return 0;
  }
  commandLine.text = `elt ${rawArgs.join(" ")}`;
  const unknown = await unknownFlags(rawArgs);
  if (unknown.length > 0) {
    await printUsage(rawArgs);
    await logErrorsToFile(rawArgs);
    log.error(`unknown option${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
    return 2;
  }
  try {
    await runCommand(main, { rawArgs });
    return withLogFailure(0);
  } catch (error) {
    await logErrorsToFile(rawArgs);
    // citty's own usage errors (unknown command, missing argument) are usage errors: exit 2.
    if ((error as Error)?.name === "CLIError") {
      await printUsage(rawArgs);
      // citty colours parts of its messages by its own rules; the logger colours for the console.
      log.error(maskSecrets(stripVTControlCharacters(errorMessage(error))));
      return 2;
    }
    // An EltError, or what one stands for (a database that went away): a message and a hint.
    const known = knownError(error);
    if (known) {
      log.error(maskSecrets(known.message));
      if (known.hint) log.info(`hint: ${maskSecrets(known.hint)}`);
    } else {
      log.error(`unexpected error: ${maskSecrets((error as Error)?.stack ?? errorMessage(error))}`);
    }
    return withLogFailure(known?.exitCode ?? 3, known?.message);
  }
}

/**
 * A log folder that stopped taking lines during the command fails it (at least exit 1), said at
 * the end unless the command's own error already said it (`elt run` records it as a failure).
 */
function withLogFailure(code: number, said = ""): number {
  probeLogFile();
  const error = logWriteError();
  if (!error) return code;
  if (!said.includes(error.message)) {
    log.error(`logs: ${maskSecrets(error.message)}`);
    if (error.hint) log.info(`hint: ${maskSecrets(error.hint)}`);
  }
  return Math.max(code, error.exitCode);
}

process.exitCode = await cli(process.argv.slice(2));
