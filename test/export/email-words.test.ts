import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ExportedColumn } from "../../src/export/exported-model.ts";
import { fillMessage, loadMessages } from "../../src/export/messages.ts";
import { DEFAULT_TEMPLATES_DIR, richText } from "../../src/export/render-email.ts";
import { summaryCsv } from "../../src/export/summary-csv.ts";
import { tempProject } from "../helpers/project.ts";

const nb = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("the messages files", () => {
  it("fill values the locale's way: numbers grouped, moments as day and time, word forms by number", () => {
    const forms = "{n} {n|запись|записи|записей}";
    expect([1, 2, 5, 21, 1234].map((n) => nb(fillMessage(forms, { n }, "ru")))).toEqual([
      "1 запись",
      "2 записи",
      "5 записей",
      "21 запись",
      "1 234 записи",
    ]);
    expect([1, 2].map((n) => fillMessage("{n} {n|record|records}", { n }, "en"))).toEqual([
      "1 record",
      "2 records",
    ]);
    expect(fillMessage("{from}", { from: new Date("2024-03-08T22:00:00Z") }, "ru")).toBe("08.03.2024 22:00");
    expect(fillMessage("{at} {missing}", { at: "2026-11-22" }, "en")).toBe("2026-11-22 {missing}");
  });

  it("a project's own file overrides entries; the rest come from the tool's; dotted keys reach groups", () => {
    const dir = tempProject({
      "templates/messages/en.yml": 'headline: "Today: {day}"\nwarnings: {data_test: {do: "Ask Ann."}}\n',
    });
    const m = loadMessages(`${dir}/templates`, "en");
    expect(m.text("headline", { day: "x" })).toBe("Today: x");
    expect(m.text("warnings.data_test.do")).toBe("Ask Ann.");
    expect(m.has("warnings.data_test.title")).toBe(true);
    expect(m.entry("stages", "extract")).toBe("extract");
    expect(m.text("no.such.key")).toBe("no.such.key");
  });

  it("the two locales have the same entries", () => {
    const keys = (locale: string): string[] => {
      const flat = (node: unknown, at: string): string[] =>
        node && typeof node === "object"
          ? Object.entries(node).flatMap(([k, v]) => flat(v, at ? `${at}.${k}` : k))
          : [at];
      return flat(
        parse(readFileSync(join(DEFAULT_TEMPLATES_DIR, "messages", `${locale}.yml`), "utf8")),
        "",
      ).sort();
    };
    expect(keys("ru")).toEqual(keys("en"));
    expect(keys("ru")).toContain("warnings.quarantine_spike.do");
  });
});

describe("rich text", () => {
  it("`code` is <code> in HTML (the rest escaped), plain in the text part", () => {
    const html = richText("Run `elt run --start <a>` & see", true);
    expect(html).toMatch(/^Run <code style="[^"]+">elt run --start &lt;a&gt;<\/code> &amp; see$/);
    expect(richText("Run `elt run` now", false)).toBe("Run elt run now");
    expect(richText(undefined, true)).toBe("");
  });
});

describe("the attached CSV", () => {
  const columns: ExportedColumn[] = [
    { name: "day", label: { ru: "Дата", en: "Date" }, format: "date" },
    { name: "attempts", label: { ru: "Попыток", en: "Attempts" }, format: "integer" },
    { name: "rate", label: { ru: "Доля; успешных", en: "Success rate" }, format: "percent" },
    { name: "avg", label: { ru: "Среднее", en: "Average" }, format: "decimal:2" },
  ];
  const rows = [
    { day: "2026-12-02", attempts: 12345, rate: "0.4462", avg: "5.33" },
    { day: "2026-12-03", attempts: 7, rate: null, avg: "6" },
  ];

  it("ru: `;` between fields, decimal commas, 02.12.2026, 44,62%, no digit groups; BOM and CRLF", () => {
    expect(summaryCsv(columns, rows, "ru")).toBe(
      '\uFEFFДата;Попыток;"Доля; успешных";Среднее\r\n02.12.2026;12345;44,62%;5,33\r\n03.12.2026;7;;6\r\n',
    );
  });

  it("en: `,` between fields, decimal points, ISO dates", () => {
    expect(summaryCsv(columns, rows, "en")).toBe(
      "\uFEFFDate,Attempts,Success rate,Average\r\n2026-12-02,12345,44.62%,5.33\r\n2026-12-03,7,,6\r\n",
    );
  });
});
