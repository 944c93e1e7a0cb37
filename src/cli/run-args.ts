import type { ArgsDef } from "citty";
import type { RunOptions } from "../pipeline/run-options.ts";
import { parseVars, selectionArgs } from "../transform/cli-options.ts";
import { parseWindow, windowArgs } from "./window-args.ts";

/** `elt run`'s own flags (beside commonArgs). */
export const runArgs = {
  ...windowArgs,
  force: { type: "boolean", description: "Re-extract windows already landed" },
  "full-refresh": { type: "boolean", description: "Rebuild incremental models from scratch" },
  ...selectionArgs,
  "skip-export": { type: "boolean", description: "Do not write the sheet or send the email" },
} as const satisfies ArgsDef;

const list = (s: string | undefined) => s?.split(/[\s,]+/).filter(Boolean);

/** `elt run`'s flags as RunOptions; usage mistakes throw here, before a run is recorded. */
export function parseRunArgs(
  args: {
    date?: string;
    start?: string;
    end?: string;
    force?: boolean;
    "accept-incomplete"?: boolean;
    "full-refresh"?: boolean;
    select?: string;
    exclude?: string;
    vars?: string;
    "skip-export"?: boolean;
  },
  now: Date = new Date(),
): RunOptions {
  return {
    ...parseWindow(args, now),
    force: args.force ?? false,
    acceptIncomplete: args["accept-incomplete"] ?? false,
    fullRefresh: args["full-refresh"] ?? false,
    select: list(args.select),
    exclude: list(args.exclude),
    vars: parseVars(args.vars),
    skipExport: args["skip-export"] ?? false,
  };
}
