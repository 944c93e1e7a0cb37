import type { ArgsDef } from "citty";
import { parse } from "yaml";
import type { ProjectContext } from "../cli/project-context.ts";
import type { Queryable } from "../db/database.ts";
import { ConfigError } from "../errors.ts";
import { type ProjectPlan, planProject } from "./plan-project.ts";
import { readFingerprints } from "./read-fingerprints.ts";
import type { SelectionState } from "./select-models.ts";

/** `--select`, `--exclude`, `--vars`: shared by `elt model build|compile|list` and `elt test`. */
export const selectionArgs = {
  select: {
    type: "string",
    alias: "s",
    description:
      "Models: name, +name (with ancestors), name+ (descendants), tag:x, path:models/dir, state:modified (changed since their last published build); space/comma separated",
    valueHint: "selectors",
  },
  exclude: {
    type: "string",
    description: "Models to leave out (same grammar as --select)",
    valueHint: "selectors",
  },
  vars: {
    type: "string",
    description: `Override project.yml vars: '{"k": "v"}' (JSON or YAML)`,
    valueHint: "map",
  },
} as const satisfies ArgsDef;

export interface SelectionArgs {
  select?: string | string[];
  exclude?: string | string[];
  vars?: string;
}

const words = (v: string | string[] | undefined) => (v === undefined ? undefined : [v].flat());

export function parseVars(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigError(`--vars: not JSON or YAML: ${(error as Error).message}`, { code: "USAGE" });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`--vars: expected a mapping like '{"name": "value"}'`, { code: "USAGE" });
  }
  return value as Record<string, unknown>;
}

/** Whether the selection compares with the last build (`state:modified`): the database must be read. */
export function selectsByState(args: SelectionArgs): boolean {
  return [...(words(args.select) ?? []), ...(words(args.exclude) ?? [])].some((w) =>
    /(^|[\s,+])state:/.test(w),
  );
}

/** The last published fingerprints when the selection needs them, else nothing is read. */
export async function stateFor(db: Queryable, args: SelectionArgs): Promise<SelectionState | undefined> {
  return selectsByState(args) ? readFingerprints(db) : undefined;
}

/** The project's plan for the command's arguments; `state` from readFingerprints for `state:` selectors. */
export function planFromArgs(ctx: ProjectContext, args: SelectionArgs, state?: SelectionState): ProjectPlan {
  const vars = parseVars(args.vars);
  const select = words(args.select);
  const exclude = words(args.exclude);
  return planProject({
    projectDir: ctx.projectDir,
    config: ctx.config,
    ...(vars ? { vars } : {}),
    ...(select ? { select } : {}),
    ...(exclude ? { exclude } : {}),
    ...(state ? { state } : {}),
  });
}
