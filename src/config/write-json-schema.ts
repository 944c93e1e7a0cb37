// `npm run schema`: regenerates project.schema.json from the zod schema (a test checks it is current).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.ts";
import { projectJsonSchema } from "./json-schema.ts";

writeFileSync(join(PACKAGE_ROOT, "project.schema.json"), `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
