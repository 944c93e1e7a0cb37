import { createHash } from "node:crypto";
import type { PlannedModel } from "./render-models.ts";

/** What a build of a model depends on, hashed: its compiled SQL (both renders) and its config. */
export interface ModelFingerprint {
  sql: string;
  config: string;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** Stable across runs: the same files and vars give the same hashes (JSON of the normalised config). */
export function modelFingerprint(model: PlannedModel): ModelFingerprint {
  // Unit tests change nothing a build does: editing them leaves the model unmodified.
  const { unitTests: _, ...config } = model.config;
  return {
    sql: sha(`${model.sql}\0${model.incrementalSql}`),
    config: sha(JSON.stringify(config)),
  };
}
