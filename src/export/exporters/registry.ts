import { emailExporter } from "./email-exporter.ts";
import type { Exporter } from "./exporter.ts";
import { sheetsExporter } from "./sheets-exporter.ts";

/** Every exporter, keyed by its config key under `exports:`, in the order a run delivers them. */
export const EXPORTERS: ReadonlyMap<string, Exporter> = new Map(
  [sheetsExporter, emailExporter].map((e) => [e.key, e]),
);

export const EXPORT_KEYS: readonly string[] = [...EXPORTERS.keys()];
