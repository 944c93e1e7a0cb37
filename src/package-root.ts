import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The tool's own folder (holding migrations/, templates/, the default project): src/.. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
