import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFault, parseFaultPlan } from "../../src/simulator/fault-plan.ts";
import {
  countAttempts,
  formatMicros,
  generateAttempts,
  simulateAttempts,
} from "../../src/simulator/generate-attempts.ts";
import { parseApiTime } from "../../src/simulator/parse-api-time.ts";
import { pythonStringRepr } from "../../src/simulator/python-repr.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";

const DAY = { start: new Date("2024-03-04T00:00:00Z"), end: new Date("2024-03-05T00:00:00Z") };

describe("generateAttempts", () => {
  it("is deterministic and independent of how the range is cut", () => {
    const whole = [...generateAttempts({ seed: 3, ...DAY })];
    const parts = [0, 5, 11, 17.5, 24].map((h) => new Date(DAY.start.getTime() + h * 3_600_000));
    const cut = parts
      .slice(1)
      .flatMap((end, i) => [...generateAttempts({ seed: 3, start: parts[i] as Date, end })]);
    expect(cut).toEqual(whole);
    expect([...generateAttempts({ seed: 3, ...DAY })]).toEqual(whole);
    expect([...generateAttempts({ seed: 4, ...DAY })]).not.toEqual(whole);
    expect(countAttempts({ seed: 3, ...DAY })).toBe(whole.length);
  });

  it("looks like the API: ~9k a day, a daily rhythm, runs and submits, a few malformed records", () => {
    const week = [
      ...simulateAttempts({
        seed: 1,
        startMicros: Date.UTC(2024, 2, 4) * 1000,
        endMicros: Date.UTC(2024, 2, 11) * 1000,
      }),
    ];
    expect(week.length / 7).toBeGreaterThan(8000);
    expect(week.length / 7).toBeLessThan(10000);
    const good = week.filter((a) => !a.malformed).map((a) => a.record);
    const malformed = week.length - good.length;
    expect(malformed / week.length).toBeGreaterThan(0.002);
    expect(malformed / week.length).toBeLessThan(0.01);
    const runs = good.filter((r) => r.attempt_type === "run");
    const submits = good.filter((r) => r.attempt_type === "submit");
    expect(runs.every((r) => r.is_correct === null)).toBe(true);
    expect(submits.every((r) => [0, 1, true, false].includes(r.is_correct as number))).toBe(true);
    expect(submits.length / good.length).toBeGreaterThan(0.3);
    expect(good.filter((r) => !/^[0-9a-f]{32}$/.test(String(r.lti_user_id)))).toEqual([]);
    expect(
      good.filter((r) => !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/.test(String(r.created_at))),
    ).toEqual([]);
    // Nights (Moscow 03:00-05:00 = 00-02 UTC) are far quieter than evenings (18-20 UTC).
    const byHour = new Array(24).fill(0);
    for (const a of week) byHour[new Date(a.micros / 1000).getUTCHours()]++;
    expect(byHour[18] + byHour[19]).toBeGreaterThan(5 * (byHour[0] + byHour[1]));
    // passback_params: null, "", with and without lis_outcome_service_url, double quotes for apostrophes.
    const pb = good.map((r) => r.passback_params);
    expect(pb).toContain(null);
    expect(pb).toContain("");
    const texts = pb.filter((p): p is string => typeof p === "string" && p !== "");
    expect(texts.some((p) => !p.includes("lis_outcome_service_url"))).toBe(true);
    expect(texts.some((p) => p.includes(`"course-v1:SkillFactory+Kid's-Code+2024`))).toBe(true);
    expect(good.some((r) => !String(r.created_at).includes("."))).toBe(true);
    const kinds = new Set(week.map((a) => a.malformed).filter(Boolean));
    expect(kinds.size).toBeGreaterThanOrEqual(5);
  });

  it("prints passback_params that Python reads back (ast.literal_eval)", () => {
    const texts = [
      ...new Set(
        [...generateAttempts({ seed: 9, perDay: 3000, ...DAY })]
          .map((r) => r.passback_params)
          .filter((p): p is string => typeof p === "string" && p.startsWith("{") && p.endsWith("}")),
      ),
    ].slice(0, 400);
    texts.push(`{'k': ${pythonStringRepr(`both ' and " and \\ and \n`)}}`);
    const py = spawnSync(
      "python3",
      [
        "-c",
        "import ast,json,sys\nfor line in sys.stdin: print(json.dumps(ast.literal_eval(json.loads(line))))",
      ],
      { input: texts.map((t) => JSON.stringify(t)).join("\n"), encoding: "utf8" },
    );
    expect(py.stderr).toBe("");
    const parsed = py.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(parsed).toHaveLength(texts.length);
    expect(parsed.at(-1)).toEqual({ k: `both ' and " and \\ and \n` });
    for (const p of parsed.slice(0, -1)) {
      expect(p.oauth_consumer_key).toBe("");
      expect(p.lis_result_sourcedid).toMatch(
        /^course-v1:SkillFactory\+.+:lms\.skillfactory\.ru-[0-9a-f]{32}:[0-9a-f]{32}$/,
      );
    }
  });

  it("formats times like Python's str(datetime)", () => {
    expect(formatMicros(Date.UTC(2023, 3, 1, 12, 46, 47) * 1000 + 860798)).toBe("2023-04-01 12:46:47.860798");
    expect(formatMicros(Date.UTC(2023, 3, 1, 12, 46, 47) * 1000)).toBe("2023-04-01 12:46:47");
  });
});

describe("parsing", () => {
  it("reads the API's time formats", () => {
    const base = Date.UTC(2023, 3, 1, 12, 46, 47) * 1000;
    expect(parseApiTime("2023-04-01 12:46:47.860798")).toBe(base + 860798);
    expect(parseApiTime("2023-04-01T12:46:47Z")).toBe(base);
    expect(parseApiTime("2023-04-01T15:46:47+03:00")).toBe(base);
    expect(parseApiTime("2023-04-01")).toBe(Date.UTC(2023, 3, 1) * 1000);
    expect(parseApiTime("yesterday")).toBeUndefined();
  });

  it("reads fault plans", () => {
    expect(parseFaultPlan("429:2x2, 503x1,truncate,delay:50,html:502")).toEqual([
      { kind: "status", status: 429, retryAfter: 2, times: 2 },
      { kind: "status", status: 503, times: 1 },
      { kind: "truncate" },
      { kind: "delay", ms: 50 },
      { kind: "html", status: 502 },
    ]);
    expect(() => parseFault("explode")).toThrow(/unknown fault/);
  });
});

describe("the simulator server", () => {
  let sim: Simulator;
  const q = (params: Record<string, string>) => `${sim.url}?${new URLSearchParams(params)}`;
  const ok = {
    client: "c1",
    client_key: "k1-secret",
    start: "2024-03-04 00:00:00.000000",
    end: "2024-03-04 06:00:00.000000",
  };
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, perDay: 2000, client: "c1", clientKey: "k1-secret" });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("serves the generator's records for the window", async () => {
    const res = await fetch(q(ok));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = await res.json();
    const expected = [
      ...generateAttempts({
        seed: 5,
        perDay: 2000,
        start: new Date("2024-03-04T00:00Z"),
        end: new Date("2024-03-04T06:00Z"),
      }),
    ];
    expect(body).toEqual(expected);
  });

  it("answers 401 for an unknown client, 403 for a wrong key, 400 without a window", async () => {
    expect((await fetch(q({ ...ok, client: "other" }))).status).toBe(401);
    expect((await fetch(q({ ...ok, client_key: "nope" }))).status).toBe(403);
    expect((await fetch(q({ client: "c1", client_key: "k1-secret" }))).status).toBe(400);
    expect((await fetch(`${sim.url.replace("/api/statistics", "/other")}`)).status).toBe(404);
  });

  it("injects faults per request and by plan, counting requests", async () => {
    const before = sim.requests;
    const r503 = await fetch(q({ ...ok, _fault: "503" }));
    expect(r503.status).toBe(503);
    const r429 = await fetch(q(ok), { headers: { "x-simulator-fault": "429:3" } });
    expect([r429.status, r429.headers.get("retry-after")]).toEqual([429, "3"]);
    const html = await fetch(q({ ...ok, _fault: "html" }));
    expect(await html.text()).toMatch(/^<!DOCTYPE html>/);
    const cut = await (await fetch(q({ ...ok, _fault: "truncate" }))).text();
    expect(cut.startsWith("[{")).toBe(true);
    expect(() => JSON.parse(cut)).toThrow();
    await expect(fetch(q({ ...ok, _fault: "reset" }))).rejects.toThrow();
    await expect(fetch(q({ ...ok, _fault: "abort" })).then((r) => r.text())).rejects.toThrow();
    sim.setFaults([
      { kind: "status", status: 502, times: 2 },
      { kind: "html", times: 1 },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(q(ok));
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([502, 502, 200, 200]);
    expect(sim.requests - before).toBe(10);
  });
});
