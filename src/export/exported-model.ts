import { ConfigError } from "../errors.ts";
import type { ColumnConfig } from "../transform/model-config.ts";
import type { ExportContext } from "./export-context.ts";
import { exportPlan } from "./export-plan.ts";

export type { Locale } from "./locale.ts";

import type { Locale } from "./locale.ts";

/** A column as people see it in the sheet, the CSV preview and the email. */
export interface ExportedColumn {
  name: string;
  label: Record<Locale, string>;
  /** integer, percent, date, text or decimal:N (model-config.ts); unset: values as they are. */
  format?: string;
}

/** The model the exporters read (exports.summary), with its columns' labels and formats. */
export interface ExportedModel {
  name: string;
  /** The relation as SQL, as `{{ref}}` renders it. */
  relation: string;
  schema: string;
  table: string;
  /** Rows are exported, upserted and sorted by it; always the first column. */
  dateColumn: string;
  /** The columns its yml declares, in that order. */
  declared: ExportedColumn[];
}

export function exportedColumn(name: string, c: ColumnConfig | undefined): ExportedColumn {
  const label = c?.label;
  // One text labels every locale; a missing locale falls back to the other, then to the name.
  const ru = typeof label === "string" ? label : (label?.ru ?? label?.en ?? name);
  const en = typeof label === "string" ? label : (label?.en ?? label?.ru ?? name);
  return { name, label: { ru, en }, ...(c?.format ? { format: c.format } : {}) };
}

/** exports.summary.model from the project's plan; a ConfigError (exit 2) when unset or unknown. */
export function exportedModel(ctx: ExportContext): ExportedModel {
  const { model: name, date_column } = ctx.config.exports.summary;
  if (!name) {
    throw new ConfigError("project.yml: exports.summary.model is not set: nothing to export", {
      code: "CONFIG_INVALID",
      hint: "name the model the exporters read, e.g. exports: {summary: {model: <name>}}",
    });
  }
  const model = exportPlan(ctx).allModels.get(name);
  if (!model) {
    throw new ConfigError(`project.yml: exports.summary.model: no model "${name}"`, {
      code: "CONFIG_INVALID",
      hint: `models are read from ${ctx.config.models.paths.join(", ")}`,
    });
  }
  return {
    name,
    relation: model.quoted,
    schema: model.relation.schema,
    table: model.relation.name,
    dateColumn: date_column,
    declared: Object.entries(model.config.columns).map(([n, c]) => exportedColumn(n, c)),
  };
}
