#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so `npm ci` builds): compiles src/ to dist/ with
// tsconfig.build.json, which bin/elt.mjs runs. Type checking is `npm run typecheck`'s job (noCheck).
// dist/build-info.json records when the build started: bin/elt.mjs treats dist/ as stale when a
// source changed after that moment, even while tsc was running. See docs/adr/0009-compiled-cli.md.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = Date.now();

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  console.error(
    "build: typescript is not installed (it is a devDependency): install with `npm ci` (not --omit=dev), then `npm run build`",
  );
  process.exit(1);
}

// Compiled next to dist/ and swapped in at the end: a failed build leaves the previous one intact.
const out = join(root, `dist.tmp-${process.pid}`);
const compiled = spawnSync(
  process.execPath,
  [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out],
  {
    stdio: "inherit",
  },
);
if (compiled.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  console.error(`build: tsc failed (exit ${compiled.status ?? compiled.signal})`);
  process.exit(1);
}

// tsc leaves some `.ts` specifiers as they are (e.g. a dynamic import inside `export default {…}`);
// Node would fail on them only when that command runs, so the build fails now instead.
const leftovers = [];
for (const file of readdirSync(out, { recursive: true })) {
  if (!String(file).endsWith(".js")) continue;
  const text = readFileSync(join(out, String(file)), "utf8");
  for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*)["'](\.{1,2}\/[^"']*\.ts)["']/g)) {
    leftovers.push(`dist/${file}: ${m[1]}`);
  }
}
if (leftovers.length > 0) {
  rmSync(out, { recursive: true, force: true });
  console.error(`build: imports still ending in .ts after compiling:\n  ${leftovers.join("\n  ")}`);
  console.error(
    "(write `const command = defineCommand(…); export default command;` instead of `export default …`)",
  );
  process.exit(1);
}

writeFileSync(join(out, "build-info.json"), `${JSON.stringify({ started })}\n`);
const dist = join(root, "dist");
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(out, dist);
rmSync(old, { recursive: true, force: true });
console.log(`build: dist/ compiled from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
