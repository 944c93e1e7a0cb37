import type { Queryable } from "../../db/database.ts";
import type { ModelConfig } from "../model-config.ts";
import { sourceMaxSql } from "./templates.ts";

/**
 * With `watermark_source`, the source's maximum before the model reads anything: the watermark may
 * move up to it even when the model keeps none of the rows (see saveWatermarkSql).
 */
export async function watermarkFloor(tx: Queryable, config: ModelConfig): Promise<number | null> {
  if (!config.watermark || !config.watermarkSource) return null;
  const { rows } = await tx.query<{ m: number | null }>(sourceMaxSql(config.watermarkSource));
  return rows[0]?.m ?? null;
}
