#!/usr/bin/env node
// Runs the compiled CLI, dist/cli/main.js (`npm run build`; `npm ci` builds it through `prepare`).
// When dist/ is missing, or a file in src/ changed since it was built (a clone being edited), the
// sources run through tsx instead (a devDependency); without tsx it says what to do. Either way it
// never runs JavaScript older than the sources. See docs/adr/0009-compiled-cli.md.
import { readdirSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const SRC = new URL("src/", root);

/** Why dist/ cannot be trusted, or undefined when it was built after every source last changed. */
function staleness() {
  let started;
  try {
    started = JSON.parse(readFileSync(new URL("dist/build-info.json", root), "utf8")).started;
  } catch {
    return "dist/ is missing";
  }
  let files;
  try {
    files = readdirSync(SRC, { recursive: true });
  } catch {
    return undefined; // no sources beside it: dist/ is all there is
  }
  for (const file of files) {
    if (!file.endsWith(".ts")) continue;
    if (statSync(new URL(file, SRC)).mtimeMs > started) return `src/${file} changed after the last build`;
  }
  return undefined;
}

const stale = staleness();
if (!stale) {
  process.setSourceMapsEnabled(true); // stack traces name the .ts lines
  await import("../dist/cli/main.js");
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write(
      `elt: ${stale}, and tsx (a devDependency) is not installed to run the sources instead.\n` +
        "Run `npm run build` in the elt folder (or `npm ci`, which builds), then try again.\n",
    );
    process.exit(2);
  }
  if (process.stderr.isTTY) {
    process.stderr.write(
      `elt: ${stale}: running the sources through tsx (\`npm run build\` starts faster)\n`,
    );
  }
  register();
  await import("../src/cli/main.ts");
}
