// bin/elt.mjs runs the JavaScript in dist/ only while it is newer than every source, else the
// sources through tsx, else it says to build: it never runs stale JavaScript (the other tests spawn
// it too, so they cannot test stale code either). On a copy of the package in a temp folder, built
// there with `npm run build`'s script, so the repository's own dist/ is left alone.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

const pkg = mkdtempSync(join(tmpdir(), "elt-compiled-"));
const MARK = "ran-dist/cli/main.js";
const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
  version: string;
};

function build(): void {
  const r = spawnSync(process.execPath, [join(pkg, "scripts/build.mjs")], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  // Which code ran: the compiled entry point says so on stderr.
  const main = join(pkg, "dist/cli/main.js");
  writeFileSync(main, `process.stderr.write("${MARK}\\n");\n${readFileSync(main, "utf8")}`);
}

function elt(args: string[], cwd = pkg) {
  const r = spawnSync(process.execPath, [join(pkg, "bin/elt.mjs"), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: "1",
      DATABASE_URL: "postgres://x@127.0.0.1:1/none",
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  for (const path of ["bin", "scripts", "src", "package.json", "tsconfig.json", "tsconfig.build.json"]) {
    cpSync(join(PACKAGE_ROOT, path), join(pkg, path), { recursive: true });
  }
  // The package's dependencies, one link each, so a test can take tsx away.
  mkdirSync(join(pkg, "node_modules"));
  for (const name of readdirSync(join(PACKAGE_ROOT, "node_modules"))) {
    symlinkSync(join(PACKAGE_ROOT, "node_modules", name), join(pkg, "node_modules", name));
  }
  build();
}, 120_000);

describe("bin/elt.mjs", () => {
  it("runs dist/ when it is fresh: --version, every command's lazy import, a real command", () => {
    const v = elt(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version); // package.json found from dist/ (package-root.ts)
    expect(v.stderr).toContain(MARK);
    for (const args of [
      ["model", "list", "--help"],
      ["model", "build", "--help"],
      ["dev", "api", "--help"],
      ["run", "--help"],
    ]) {
      const r = elt(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain(`USAGE  elt ${args.slice(0, -1).join(" ")} [OPTIONS]`);
    }
    const project = mkdtempSync(join(tmpdir(), "elt-compiled-project-"));
    cpSync(join(PACKAGE_ROOT, "test/fixtures/engine-project"), project, { recursive: true });
    const list = elt(["model", "list"], project);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("stg_events   view         analytics.stg_events");
    expect(list.stderr).toContain(MARK);
  });

  it("runs the sources through tsx once a source is newer than the build, silently when not on a terminal", () => {
    const now = new Date();
    utimesSync(join(pkg, "src/cli/usage.ts"), now, now); // as an editor saving it
    const r = elt(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    expect(r.stderr).toBe("");
  });

  it("without tsx, says what to do instead of a stack: stale, then missing", () => {
    rmSync(join(pkg, "node_modules/tsx"));
    const stale = elt(["--help"]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain("src/cli/usage.ts changed after the last build");
    expect(stale.stderr).toContain("npm run build");
    expect(stale.stderr).not.toMatch(/^\s+at /m);
    rmSync(join(pkg, "dist"), { recursive: true });
    const missing = elt(["--help"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("dist/ is missing");
    expect(missing.stderr).toContain("npm run build");
  });

  it("a build needs no tsx at run time, and leaves no .ts import behind", () => {
    build();
    expect(existsSync(join(pkg, "node_modules/tsx"))).toBe(false);
    const r = elt(["model", "build", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(MARK);
    expect(readdirSync(pkg).filter((n) => n.startsWith("dist."))).toEqual([]); // no temp folders left
    const tsImports = readdirSync(join(pkg, "dist"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".js"))
      .filter((f) =>
        /(?:from\s*|import\s*\(\s*)["']\.{1,2}\/[^"']*\.ts["']/.test(
          readFileSync(join(pkg, "dist", f), "utf8"),
        ),
      );
    expect(tsImports).toEqual([]);
  }, 120_000);
});
