import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ConfigField, configFields } from "../../src/config/config-fields.ts";
import { configReference } from "../../src/config/config-reference.ts";
import { projectSchema } from "../../src/config/project-schema.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";

const leaves = (fields: readonly ConfigField[]): ConfigField[] =>
  fields.flatMap((f) => (f.children ? leaves(f.children) : [f]));

describe("docs/config-reference.md", () => {
  it("is what the generator writes from the schema (npm run schema regenerates it)", () => {
    const committed = readFileSync(join(PACKAGE_ROOT, "docs", "config-reference.md"), "utf8");
    expect(committed).toBe(configReference());
  });

  it("describes every key of project.yml, sections included", () => {
    const all = (fields: readonly ConfigField[]): ConfigField[] =>
      fields.flatMap((f) => [f, ...all(f.children ?? [])]);
    const undescribed = all(configFields(projectSchema))
      .filter((f) => !f.description?.trim())
      .map((f) => f.path);
    expect(undescribed).toEqual([]);
  });

  it("finds the keys, their types and defaults through the schema's wrappers", () => {
    const byPath = new Map(leaves(configFields(projectSchema)).map((f) => [f.path, f]));
    expect(byPath.get("database.lock_timeout_seconds")).toMatchObject({
      type: "integer ≥ 0",
      defaultText: "600",
    });
    expect(byPath.get("api.timeout_seconds")).toMatchObject({ type: "integer > 0", defaultText: "300" });
    expect(byPath.get("extract.record_key")).toMatchObject({
      type: "list of text",
      defaultText: "[lti_user_id, created_at]",
    });
    expect(byPath.get("extract.plausibility.min_volume_ratio")).toMatchObject({ type: "number 0–1" });
    expect(byPath.get("exports.sheets.locale")?.type).toBe('"ru" \\| "en"');
    expect(byPath.get("exports.email.to")).toMatchObject({ type: "list of text", defaultText: "[]" });
    expect(byPath.get("api.client")?.defaultText).toBeUndefined();
    expect(byPath.get("api.url")?.type).toBe("URL");
  });

  it("links each variable the shipped project.yml reads to its key", () => {
    const text = configReference();
    expect(text).toContain("| `DATABASE_URL` | [`database.url`](#database-url) | unset: absent |");
    expect(text).toContain('<a id="database-url"></a>`database.url`');
    expect(text).toContain("| `ELT_LOG_DIR` | [`logs.dir`](#logs-dir) | `logs` |");
  });
});
