import type { Materialization } from "./context.ts";
import { incremental } from "./incremental.ts";
import { table } from "./table.ts";
import { view } from "./view.ts";

/**
 * The materializations by the name a model's `materialized:` gives. Adding one is a file exporting
 * a Materialization, an entry here, and its name in model-config's enum.
 */
export const MATERIALIZATIONS: Readonly<Record<string, Materialization>> = { view, table, incremental };
