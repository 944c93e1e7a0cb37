import type { ArgsDef } from "citty";

/** Arguments every command takes. */
export const commonArgs = {
  "project-dir": {
    type: "string",
    description: "Folder holding project.yml (default: the current folder)",
    default: ".",
    valueHint: "dir",
  },
  "log-level": {
    type: "string",
    description: "Override logs.level: silent, error, warn, info, debug, trace",
    valueHint: "level",
  },
} as const satisfies ArgsDef;

/** `--demo`: the commands that read the project's database can work on the demo's instead. */
export const demoArgs = {
  demo: {
    type: "boolean",
    description: "Work on the demo's embedded database (.elt/demo, filled by `npm run demo`)",
  },
} as const satisfies ArgsDef;

export interface CommonArgs {
  "project-dir"?: string;
  "log-level"?: string;
  /** The demo's configuration (see demoArgs). */
  demo?: boolean;
}
