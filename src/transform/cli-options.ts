import type { ArgsDef } from "citty";
import { parse } from "yaml";
import type { ProjectContext } from "../cli/project-context.ts";
import { ConfigError } from "../errors.ts";
import { type ProjectPlan, planProject } from "./plan-project.ts";

/** `--select`, `--exclude`, `--vars`: shared by `elt model build|compile|list` and `elt test`. */
export const selectionArgs = {
  select: {
    type: "string",
    alias: "s",
    description:
      "Models: name, +name (with ancestors), name+ (descendants), tag:x, path:models/dir; space/comma separated",
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

/** The project's plan for the command's arguments. */
export function planFromArgs(ctx: ProjectContext, args: SelectionArgs): ProjectPlan {
  const vars = parseVars(args.vars);
  const select = words(args.select);
  const exclude = words(args.exclude);
  return planProject({
    projectDir: ctx.projectDir,
    config: ctx.config,
    ...(vars ? { vars } : {}),
    ...(select ? { select } : {}),
    ...(exclude ? { exclude } : {}),
  });
}
