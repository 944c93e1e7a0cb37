import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

/** Every file under a folder, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe("the engine knows no project (ADR 0013)", () => {
  it("no file of src/ names a shipped model: the project lives in models/, reports/ and project.yml", () => {
    const models = files(join(PACKAGE_ROOT, "models"))
      .filter((f) => f.endsWith(".sql"))
      .map((f) => basename(f, ".sql"));
    expect(models.length).toBeGreaterThan(5);
    const found = files(join(PACKAGE_ROOT, "src")).flatMap((f) => {
      const text = readFileSync(f, "utf8");
      return models.filter((m) => new RegExp(`\\b${m}\\b`).test(text)).map((m) => `${f}: ${m}`);
    });
    expect(found).toEqual([]);
  });
});
