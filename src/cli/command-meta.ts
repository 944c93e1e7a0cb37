import type { CommandMeta } from "citty";
import "./usage.ts"; // CommandMeta's `example`

/**
 * Every command's name, description and example, keyed by its words after `elt`. Each command
 * module takes its meta from here, and `--help` lists subcommands from here, so `elt --help` starts
 * without loading the commands (and the database drivers, googleapis, … they import).
 */
export const COMMAND_META = {
  "": {
    name: "elt",
    description: "Extract the attempt statistics, land them raw, transform with SQL models, export",
    example: "elt run --demo",
  },
  run: {
    name: "run",
    description: "Run the whole pipeline: extract, models, tests, exports",
    example: "elt run --date 2026-11-20",
  },
  extract: {
    name: "extract",
    description: "Extract a time window from the API and land it raw",
    example: "elt extract --start 2026-11-01 --end 2026-11-08",
  },
  model: {
    name: "model",
    description: "Build, compile and list the SQL models",
    example: "elt model build --select tag:daily",
  },
  "model build": {
    name: "build",
    description: "Build the selected models in dependency order",
    example: "elt model build --select +my_summary",
  },
  "model compile": {
    name: "compile",
    description: "Render the selected models to target/compiled (no database)",
    example: "elt model compile --select tag:daily",
  },
  "model list": {
    name: "list",
    description: "List the selected models in build order (no database)",
    example: "elt model list --select my_table+",
  },
  test: {
    name: "test",
    description: "Run the data tests of the selected models (exit 1 on an error-severity failure)",
    example: "elt test --select my_table",
  },
  export: {
    name: "export",
    description: "Export a day's summary to Google Sheets and the email report",
    example: "elt export sheets --date 2026-11-20",
  },
  migrate: {
    name: "migrate",
    description: "Apply pending migrations and list applied/pending ones",
    example: "elt migrate --dry-run",
  },
  seed: {
    name: "seed",
    description: "Load seeds/*.csv into tables, replacing their contents",
    example: "elt seed",
  },
  status: {
    name: "status",
    description: "Show the last runs and the watermark, or one run whole (--run N)",
    example: "elt status --run 42",
  },
  docs: {
    name: "docs",
    description: "Generate and serve the project's documentation site (lineage, models, columns, results)",
    example: "elt docs serve --demo",
  },
  "docs generate": {
    name: "generate",
    description: "Write the docs site to target/docs: lineage graph, models, columns, SQL, last results",
    example: "elt docs generate --demo",
  },
  "docs serve": {
    name: "serve",
    description: "Generate the docs site and serve it on 127.0.0.1 until Ctrl-C",
    example: "elt docs serve --port 8580",
  },
  dev: {
    name: "dev",
    description: "Development helpers (the API simulator)",
    example: "elt dev api --fault 503x2,flip:10x1",
  },
  "dev api": {
    name: "api",
    description: "Serve the API simulator until Ctrl-C",
    example: "elt dev api --port 8765 --fault 503x2",
  },
} as const satisfies Record<string, CommandMeta>;

export type CommandKey = keyof typeof COMMAND_META;

/** The meta of the command `elt <words…>`, if there is one. */
export function commandMeta(words: readonly string[]): CommandMeta | undefined {
  return (COMMAND_META as Record<string, CommandMeta>)[words.join(" ")];
}
