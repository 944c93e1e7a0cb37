import { defineCommand } from "citty";
import { EltError } from "../errors.ts";
import { commonArgs } from "./common-args.ts";

/** A command whose issue has not landed yet: says so and exits 2 (usage), never pretends to work. */
export function notBuilt(name: string, description: string, issue: number) {
  return defineCommand({
    meta: { name, description: `${description} (not built yet)` },
    args: commonArgs,
    run() {
      throw new EltError(`elt ${name} is not built yet (issue ${issue})`, { code: "NOT_BUILT", exitCode: 2 });
    },
  });
}
