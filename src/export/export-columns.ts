import { type ExportedColumn, type ExportedModel, exportedColumn } from "./exported-model.ts";

/**
 * The columns to export: the configured ones in their order, else those the model's yml declares
 * (in its order) and then any other column of the relation. The date column is always first; a
 * column without a yml entry is labelled by its name.
 */
export function exportColumns(
  model: ExportedModel,
  available: readonly string[],
  configured?: readonly string[],
): ExportedColumn[] {
  const declared = new Map(model.declared.map((c) => [c.name, c]));
  let names: string[];
  if (configured && configured.length > 0) {
    names = [...configured];
  } else {
    const known = model.declared.map((c) => c.name).filter((n) => available.includes(n));
    names = [...known, ...available.filter((n) => !declared.has(n))];
  }
  names = [model.dateColumn, ...names.filter((n) => n !== model.dateColumn)];
  return names.map((n) => declared.get(n) ?? exportedColumn(n, undefined));
}
