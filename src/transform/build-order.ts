import type { CompileProblem } from "./compile-error.ts";

export interface DagNode {
  name: string;
  /** Project-relative file, for errors. */
  path: string;
  deps: { name: string; line?: number }[];
}

/**
 * Topological order (dependencies first, ties by name so the order is stable) and, when the graph
 * has cycles, one problem per cycle naming its path `a → b → a` at the ref that closes it.
 */
export function buildOrder(nodes: DagNode[]): { order: string[]; problems: CompileProblem[] } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of nodes) {
    const deps = new Set(n.deps.map((d) => d.name).filter((d) => byName.has(d)));
    indegree.set(n.name, deps.size);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), n.name]);
  }
  const ready = nodes.filter((n) => indegree.get(n.name) === 0).map((n) => n.name);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort();
    const name = ready.shift() as string;
    order.push(name);
    for (const next of dependents.get(name) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const problems: CompileProblem[] = [];
  const stuck = new Set(nodes.filter((n) => !order.includes(n.name)).map((n) => n.name));
  const reported = new Set<string>();
  for (const start of [...stuck].sort()) {
    if (reported.has(start)) continue;
    const cycle = findCycle(start, byName, stuck);
    if (!cycle) continue;
    const key = [...cycle].sort().join(",");
    if (reported.has(key)) continue;
    reported.add(key);
    for (const c of cycle) reported.add(c);
    const last = byName.get(cycle[cycle.length - 1] as string) as DagNode;
    const edge = last.deps.find((d) => d.name === cycle[0]);
    problems.push({
      file: last.path,
      ...(edge?.line ? { line: edge.line } : {}),
      message: `dependency cycle: ${[...cycle, cycle[0]].join(" → ")}`,
    });
  }
  return { order, problems };
}

function findCycle(start: string, byName: Map<string, DagNode>, within: Set<string>): string[] | undefined {
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    if (onPath.has(name)) return path.slice(path.indexOf(name));
    if (done.has(name) || !within.has(name)) return undefined;
    path.push(name);
    onPath.add(name);
    for (const d of [...(byName.get(name)?.deps ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      const found = visit(d.name);
      if (found) return found;
    }
    path.pop();
    onPath.delete(name);
    done.add(name);
    return undefined;
  };
  return visit(start);
}
