import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { parseFault } from "../../src/simulator/fault-plan.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { tempProject } from "../helpers/project.ts";

const plan = (sources: string) => {
  const dir = tempProject({
    "project.yml": "name: t\n",
    "models/sources.yml": sources,
    "models/m.sql": `SELECT * FROM {{source "raw" "api_attempts"}}`,
  });
  return planProject({ projectDir: dir, config: loadProject(dir).config });
};

describe("source checks in models/*.yml", () => {
  it("the shipped project declares freshness and drift on raw.api_attempts", () => {
    const { config } = loadProject(PACKAGE_ROOT);
    const { sourceChecks } = planProject({ projectDir: PACKAGE_ROOT, config });
    expect(sourceChecks).toEqual([
      expect.objectContaining({
        name: "raw.api_attempts",
        relation: "raw.api_attempts",
        freshness: { field: "created_at", warnAfterHours: 12, errorAfterHours: 36 },
        drift: expect.objectContaining({ severity: "warn", nested: ["passback_params"], min_records: 5 }),
      }),
    ]);
  });

  it("dbt's periods become hours", () => {
    const p = plan(`sources:
  raw:
    tables:
      - name: api_attempts
        loaded_at_field: created_at
        freshness: {warn_after: {count: 90, period: minute}, error_after: {count: 2, period: day}}
`);
    expect(p.sourceChecks[0]?.freshness).toEqual({
      field: "created_at",
      warnAfterHours: 1.5,
      errorAfterHours: 48,
    });
  });

  it.each([
    [
      "a misspelt key",
      "drift: {severity: warn, nestd: [x]}",
      /models\/sources.yml:5: sources\.raw\.tables\.0\.drift\.nestd: unknown key "nestd"/,
    ],
    ["a bad severity", "drift: {severity: fatal}", /drift\.severity: Invalid option/],
    [
      "freshness without its field",
      "freshness: {warn_after: {count: 1, period: hour}}",
      /tables\.0\.loaded_at_field: Required by freshness/,
    ],
    [
      "freshness without a threshold",
      "loaded_at_field: t\n        freshness: {}",
      /freshness: needs warn_after or error_after/,
    ],
    [
      "error_after before warn_after",
      "loaded_at_field: t\n        freshness: {warn_after: {count: 2, period: day}, error_after: {count: 3, period: hour}}",
      /freshness\.error_after: must not be shorter than warn_after/,
    ],
  ])("%s is a compile error naming the file and key", (_, yaml, message) => {
    expect(() =>
      plan(`sources:
  raw:
    tables:
      - name: api_attempts
        ${yaml}
`),
    ).toThrow(message);
  });

  it("checks on a table the extract does not land are refused", () => {
    expect(() =>
      plan(`sources:
  raw:
    tables:
      - api_attempts
  other:
    tables:
      - name: events
        drift: {severity: warn}
`),
    ).toThrow(
      /sources\.other\.tables\.0\.drift: source checks run on the table the extract lands \(raw\.api_attempts\) only/,
    );
  });
});

describe("the simulator's drift faults parse", () => {
  it.each([
    ["stale:30", { kind: "stale", hours: 30 }],
    ["stale", { kind: "stale", hours: 36 }],
    ["rename:is_correct=correctx2", { kind: "rename", from: "is_correct", to: "correct", times: 2 }],
    [
      "retype:passback_params.oauth_consumer_key",
      { kind: "retype", key: "passback_params.oauth_consumer_key" },
    ],
    ["flip:10x1", { kind: "flip", percent: 10, times: 1 }],
  ])("%s", (text, fault) => expect(parseFault(text)).toEqual(fault));

  it.each(["rename:a", "retype", "flip:ab"])("%s is refused", (text) =>
    expect(() => parseFault(text)).toThrow(),
  );
});
