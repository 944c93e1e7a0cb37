// `npm run schema`: regenerates docs/config-reference.md from the zod schema (a test checks it is current).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.ts";
import { configReference } from "./config-reference.ts";

writeFileSync(join(PACKAGE_ROOT, "docs", "config-reference.md"), configReference());
