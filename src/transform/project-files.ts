import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Resolves config paths against the project folder and names files relative to it (with `/`). */
export interface ProjectFiles {
  dir: string;
  abs(p: string): string;
  rel(p: string): string;
}

export function projectFiles(projectDir: string): ProjectFiles {
  const dir = resolve(projectDir);
  return {
    dir,
    abs: (p) => (isAbsolute(p) ? p : resolve(dir, p)),
    rel: (p) => relative(dir, p).split(sep).join("/"),
  };
}

/** Files under dir (recursively) with one of the extensions, sorted; hidden folders skipped. */
export function listFiles(dir: string, exts: string[]): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => exts.includes(extname(f)) && !f.split(sep).some((part) => part.startsWith(".")))
    .map((f) => join(dir, f))
    .sort();
}
