#!/usr/bin/env node
// `npm run docs:screenshot`: the docs site on the demo's data, as docs/images/docs-site.png (1280 px
// wide) for the README. Runs the demo first when it never ran here (`elt run --demo`), serves the site
// with `elt docs serve --demo --port 0`, opens the page of the model the exports read, and takes the
// picture in Debian's chromium (ELT_CHROMIUM overrides the path) through puppeteer-core.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const elt = join(root, "bin", "elt.mjs");
const chromium = process.env.ELT_CHROMIUM ?? "/usr/bin/chromium";
const out = join(root, "docs", "images", "docs-site.png");

if (!existsSync(chromium)) {
  console.error(
    `chromium is not installed at ${chromium}: apt-get install -y chromium (or set ELT_CHROMIUM)`,
  );
  process.exit(1);
}
if (!existsSync(join(root, ".elt", "demo", "pgdata", "PG_VERSION"))) {
  const demo = spawnSync(process.execPath, [elt, "run", "--demo"], { cwd: root, stdio: "inherit" });
  if (demo.status !== 0) process.exit(demo.status ?? 1);
}

const server = spawn(process.execPath, [elt, "docs", "serve", "--demo", "--port", "0"], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve, reject) => {
  let text = "";
  server.stdout.on("data", (d) => {
    text += d;
    const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(text);
    if (m) resolve(m[1]);
  });
  server.on("exit", (code) => reject(new Error(`elt docs serve exited ${code}`)));
});

let browser;
try {
  // The model the exports read: the page a reader of the README most likely wants.
  const manifest = JSON.parse(readFileSync(join(root, "target", "docs", "manifest.json"), "utf8"));
  const focus = manifest.exports.flatMap((x) => x.upstream)[0] ?? "overview";
  browser = await puppeteer.launch({
    executablePath: chromium,
    args: ["--no-sandbox", "--headless", "--disable-gpu"],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${url}#${focus}`, { waitUntil: "load" });
  mkdirSync(join(root, "docs", "images"), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`written: ${out}`);
} finally {
  await browser?.close();
  server.kill("SIGTERM");
}
