/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package or source file, and the
 * hottest functions. For the notes where a target is missed.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/elt.mjs run --date 2024-01-15
 *   node --import tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile [--top 15]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** node_modules/<pkg> (scoped too), our src/ file, node internals, or the V8 pseudo-frames. */
export function bucketOf(url: string, name: string): string {
  if (!url) return `(${name || "native"})`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  if (url.startsWith("node:")) return "node internals";
  const src = /\/((?:src|bench|bin)\/.*)$/.exec(url);
  return src ? (src[1] as string) : url;
}

export function summarize(profile: Profile, top = 15): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { url, functionName, lineNumber } = node.callFrame;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const fn = `${functionName || "(anonymous)"} ${bucket}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const lines = [`total sampled ${(total / 1000).toFixed(0)} ms`, "self time by package / file:"];
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`,
      );
  lines.push(...rows(buckets), "hottest functions:", ...rows(functions));
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { top: { type: "string", default: "15" } },
    allowPositionals: true,
  });
  for (const file of positionals) {
    process.stdout.write(
      `${file}\n${summarize(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(values.top))}\n`,
    );
  }
}
