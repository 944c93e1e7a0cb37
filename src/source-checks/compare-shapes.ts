import type { ShapeRow } from "./load-shape.ts";
import type { DriftSettings } from "./source-check-config.ts";

/** One way a load's records differ from the baseline, naming the key (`field.key` when nested). */
export interface DriftFinding {
  kind: "new" | "missing" | "retyped";
  key: string;
  message: string;
}

type Thresholds = Pick<DriftSettings, "min_records" | "min_share" | "usual_share">;

const pct = (x: number) => `${(x * 100).toFixed(x > 0.999 && x < 1 ? 1 : 0)}%`;
const list = (types: Map<string, number>) => [...types.keys()].sort().join("/") || "null";

/** A key's counts by JSON type within one scope. */
function byKey(rows: ShapeRow[], scope: string): { root: number; keys: Map<string, Map<string, number>> } {
  let root = 0;
  const keys = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.scope !== scope) continue;
    if (r.path === "") {
      if (r.type === "object") root = r.n;
      continue;
    }
    let types = keys.get(r.path);
    if (!types) {
      types = new Map();
      keys.set(r.path, types);
    }
    types.set(r.type, (types.get(r.type) ?? 0) + r.n);
  }
  return { root, keys };
}

const sum = (m: Map<string, number> | undefined) =>
  [...(m ?? new Map<string, number>()).values()].reduce((a, b) => a + b, 0);

/** Non-null values only: a null says nothing about the key's type, and optional values are often null. */
const valued = (m: Map<string, number> | undefined) =>
  new Map([...(m ?? new Map<string, number>())].filter(([t]) => t !== "null"));

/**
 * What changed between a load's shape and the baseline's (pure). Every finding needs at least
 * `min_records` records of the load and `min_share` of the records (or values) in question, so a
 * stray record or a small window is no drift:
 * - new: a key the baseline never had;
 * - missing: a key in at least `usual_share` of the baseline's records, absent from the load's;
 * - retyped: a JSON type the key never had, or its usual type (at least `usual_share` of its values)
 *   absent from the load's values.
 * Scopes with no baseline (the first load of a deployment) have nothing to compare: no findings.
 */
export function compareShapes(current: ShapeRow[], baseline: ShapeRow[], t: Thresholds): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const scopes = [...new Set(current.map((r) => r.scope))].sort();
  const enough = (n: number, of: number) => n >= t.min_records && of > 0 && n / of >= t.min_share;
  for (const scope of scopes) {
    const cur = byKey(current, scope);
    const base = byKey(baseline, scope);
    if (base.root === 0 || cur.root === 0) continue;
    const name = (key: string) => (scope === "" ? key : `${scope}.${key}`);
    for (const key of [...new Set([...cur.keys.keys(), ...base.keys.keys()])].sort()) {
      const now = cur.keys.get(key);
      const before = base.keys.get(key);
      const present = sum(now);
      const was = sum(before);
      if (was === 0) {
        if (enough(present, cur.root)) {
          findings.push({
            kind: "new",
            key: name(key),
            message: `new key ${name(key)} (${list(valued(now))}) in ${present} of ${cur.root} records`,
          });
        }
        continue;
      }
      const lacking = cur.root - present;
      if (was / base.root >= t.usual_share && enough(lacking, cur.root)) {
        findings.push({
          kind: "missing",
          key: name(key),
          message: `key ${name(key)} missing from ${lacking} of ${cur.root} records (in ${pct(was / base.root)} before)`,
        });
        continue;
      }
      const nowTypes = valued(now);
      const beforeTypes = valued(before);
      const values = sum(nowTypes);
      const baseValues = sum(beforeTypes);
      const changed: string[] = [];
      for (const [type, n] of nowTypes) {
        if (!beforeTypes.has(type) && enough(n, values)) changed.push(`${type} in ${n} of ${values} values`);
      }
      for (const [type, n] of beforeTypes) {
        const lackingType = values - (nowTypes.get(type) ?? 0);
        if (n / baseValues >= t.usual_share && enough(lackingType, values)) {
          changed.push(`${type} missing from ${lackingType} of ${values} values`);
        }
      }
      if (changed.length > 0) {
        findings.push({
          kind: "retyped",
          key: name(key),
          message: `key ${name(key)} retyped: ${list(beforeTypes)} → ${list(nowTypes)} (${changed.join("; ")})`,
        });
      }
    }
  }
  return findings;
}
