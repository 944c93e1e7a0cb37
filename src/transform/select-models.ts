import { ConfigError } from "../errors.ts";
import type { ModelFingerprint } from "./model-fingerprint.ts";

export interface SelectableModel {
  name: string;
  /** Project-relative, with forward slashes: `models/staging/stg_orders.sql`. */
  path: string;
  tags: string[];
  deps: string[];
  fingerprint?: ModelFingerprint;
}

/** The last published build's fingerprints by model (`state:` selectors compare against them). */
export type SelectionState = ReadonlyMap<string, ModelFingerprint>;

export interface Selector {
  method: "name" | "tag" | "path" | "state";
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
    const m = /^(tag|path|state):(.*)$/.exec(w);
    const method = (m?.[1] ?? "name") as Selector["method"];
    const value = m ? (m[2] ?? "") : w;
    if (!value) throw new ConfigError(`selector "${word}" is empty`, { code: "USAGE" });
    if (method === "state" && value !== "modified")
      throw new ConfigError(`selector "${word}": the state method knows only state:modified`, {
        code: "USAGE",
      });
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

/** Why a model's build is out of date against the last published one; undefined when it is not. */
export function modifiedReason(model: SelectableModel, state: SelectionState): string | undefined {
  const last = state.get(model.name);
  if (!last) return "never published";
  const sql = model.fingerprint?.sql !== last.sql;
  const config = model.fingerprint?.config !== last.config;
  if (sql && config) return "SQL and config changed";
  if (sql) return "SQL changed";
  if (config) return "config changed";
  return undefined;
}

function matchOne(models: SelectableModel[], s: Selector, state: SelectionState | undefined): string[] {
  if (s.method === "state") {
    if (!state)
      throw new ConfigError("state:modified compares with the last build, which needs the database", {
        code: "USAGE",
        hint: "use it with elt model build, elt model list or elt test",
      });
    return models.filter((m) => modifiedReason(m, state) !== undefined).map((m) => m.name);
  }
  if (s.method === "name") return models.filter((m) => m.name === s.value).map((m) => m.name);
  if (s.method === "tag") return models.filter((m) => m.tags.includes(s.value)).map((m) => m.name);
  const prefix = normalizePath(s.value);
  return models
    .filter((m) => m.path === prefix || m.path.startsWith(`${prefix}/`) || m.path === `${prefix}.sql`)
    .map((m) => m.name);
}

function resolveSelectors(
  models: SelectableModel[],
  selectors: Selector[],
  state: SelectionState | undefined,
  why?: Map<string, string>,
): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const children = new Map<string, string[]>();
  for (const m of models) for (const d of m.deps) children.set(d, [...(children.get(d) ?? []), m.name]);
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const s of selectors) {
    const hits = matchOne(models, s, state);
    if (hits.length === 0 && s.method === "name") unknown.push(s.value);
    const because = (name: string, reason: string) => {
      out.add(name);
      if (why && !why.has(name)) why.set(name, reason);
    };
    for (const h of hits) {
      const m = byName.get(h) as SelectableModel;
      because(
        h,
        s.method === "state" && state
          ? (modifiedReason(m, state) as string)
          : `${s.method === "name" ? "named" : `${s.method}:${s.value}`}`,
      );
    }
    if (s.ancestors)
      for (const a of walk(hits, (n) => byName.get(n)?.deps ?? []))
        if (byName.has(a)) because(a, `upstream of ${hits.join(", ")}`);
    if (s.descendants)
      for (const d of walk(hits, (n) => children.get(n) ?? []))
        because(d, `downstream of ${parentIn(d, hits, byName)}`);
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
 * `state:modified` matches the models whose compiled SQL or config differs from their last published
 * build (`state`), or that were never published. A plain name that matches no model is a usage error
 * (a typo must not silently build nothing). `why`, when given, gets the reason each model is in.
 */
export function selectModels(
  models: SelectableModel[],
  select?: string | readonly string[],
  exclude?: string | readonly string[],
  state?: SelectionState,
  why?: Map<string, string>,
): Set<string> {
  const selectors = parseSelectors(select);
  const chosen =
    selectors.length === 0
      ? new Set(models.map((m) => m.name))
      : resolveSelectors(models, selectors, state, why);
  for (const name of resolveSelectors(models, parseSelectors(exclude), state)) {
    chosen.delete(name);
    why?.delete(name);
  }
  return chosen;
}

/** The nearest of `roots` that `name` descends from (for "downstream of x"). */
function parentIn(name: string, roots: string[], byName: ReadonlyMap<string, SelectableModel>): string {
  const seen = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const d of byName.get(n)?.deps ?? []) {
        if (roots.includes(d)) return d;
        if (!seen.has(d)) {
          seen.add(d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return roots[0] ?? name;
}
