import { ConfigError } from "../errors.ts";

export interface SelectableModel {
  name: string;
  /** Project-relative, with forward slashes: `models/staging/stg_attempts.sql`. */
  path: string;
  tags: string[];
  deps: string[];
}

export interface Selector {
  method: "name" | "tag" | "path";
  value: string;
  ancestors: boolean;
  descendants: boolean;
}

/** `a +b, tag:x path:models/staging+` → selectors; several flags or one flag with a list both work. */
export function parseSelectors(values: string | readonly string[] | undefined): Selector[] {
  const words = (typeof values === "string" ? [values] : (values ?? []))
    .flatMap((v) => v.split(/[\s,]+/))
    .filter(Boolean);
  return words.map((word) => {
    let w = word;
    const ancestors = w.startsWith("+");
    if (ancestors) w = w.slice(1);
    const descendants = w.endsWith("+");
    if (descendants) w = w.slice(0, -1);
    const m = /^(tag|path):(.*)$/.exec(w);
    const method = (m?.[1] ?? "name") as Selector["method"];
    const value = m ? (m[2] ?? "") : w;
    if (!value) throw new ConfigError(`selector "${word}" is empty`, { code: "USAGE" });
    return { method, value, ancestors, descendants };
  });
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
}

function walk(start: string[], next: (name: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    for (const n of next(name)) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

function matchOne(models: SelectableModel[], s: Selector): string[] {
  if (s.method === "name") return models.filter((m) => m.name === s.value).map((m) => m.name);
  if (s.method === "tag") return models.filter((m) => m.tags.includes(s.value)).map((m) => m.name);
  const prefix = normalizePath(s.value);
  return models
    .filter((m) => m.path === prefix || m.path.startsWith(`${prefix}/`) || m.path === `${prefix}.sql`)
    .map((m) => m.name);
}

function resolveSelectors(models: SelectableModel[], selectors: Selector[]): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const children = new Map<string, string[]>();
  for (const m of models) for (const d of m.deps) children.set(d, [...(children.get(d) ?? []), m.name]);
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const s of selectors) {
    const hits = matchOne(models, s);
    if (hits.length === 0 && s.method === "name") unknown.push(s.value);
    for (const h of hits) out.add(h);
    if (s.ancestors)
      for (const a of walk(hits, (n) => byName.get(n)?.deps ?? [])) if (byName.has(a)) out.add(a);
    if (s.descendants) for (const d of walk(hits, (n) => children.get(n) ?? [])) out.add(d);
  }
  if (unknown.length > 0) {
    throw new ConfigError(`no model named ${unknown.map((u) => `"${u}"`).join(", ")}`, {
      code: "USAGE",
      hint: "see `elt model list` for the model names",
    });
  }
  return out;
}

/**
 * The names chosen by `--select` (everything when absent) minus those chosen by `--exclude`.
 * `+x` adds x's ancestors, `x+` its descendants; `tag:t`, `path:models/dir` match by tag or folder.
 * A plain name that matches no model is a usage error (a typo must not silently build nothing).
 */
export function selectModels(
  models: SelectableModel[],
  select?: string | readonly string[],
  exclude?: string | readonly string[],
): Set<string> {
  const selectors = parseSelectors(select);
  const chosen =
    selectors.length === 0 ? new Set(models.map((m) => m.name)) : resolveSelectors(models, selectors);
  for (const name of resolveSelectors(models, parseSelectors(exclude))) chosen.delete(name);
  return chosen;
}
