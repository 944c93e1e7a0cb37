import { isUtf8 } from "node:buffer";
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

  it("reads the data faults, with and without an argument and an xN suffix", () => {
    expect(parseFaultPlan("empty,junk,half,surrogate,deep,badbytes,trickle,flip,outside")).toEqual([
      { kind: "empty" },
      { kind: "junk" },
      { kind: "half" },
      { kind: "surrogate" },
      { kind: "deep" },
      { kind: "badbytes" },
      { kind: "trickle", ms: 1000 },
      { kind: "flip", percent: 10 },
      { kind: "outside", count: 5 },
    ]);
    expect(
      parseFaultPlan("emptyx2,junkX3,halfx1,surrogatex4,deepx5,badbytesx1,trickle:5x2,flip:10x1,outside:3x7"),
    ).toEqual([
      { kind: "empty", times: 2 },
      { kind: "junk", times: 3 },
      { kind: "half", times: 1 },
      { kind: "surrogate", times: 4 },
      { kind: "deep", times: 5 },
      { kind: "badbytes", times: 1 },
      { kind: "trickle", ms: 5, times: 2 },
      { kind: "flip", percent: 10, times: 1 },
      { kind: "outside", count: 3, times: 7 },
    ]);
    // Every name, old ones too, takes the suffix without swallowing its x.
    for (const name of [
      "reset",
      "abort",
      "truncate",
      "html",
      "slow",
      "delay",
      "trickle",
      "flip",
      "outside",
    ]) {
      expect(parseFault(`${name}x12`)).toMatchObject({ kind: name, times: 12 });
    }
    expect(parseFault("EMPTYX2")).toEqual({ kind: "empty", times: 2 });
    expect(parseFault("trickle:0")).toEqual({ kind: "trickle", ms: 0 });
    expect(parseFault("flip:100")).toEqual({ kind: "flip", percent: 100 });
    expect(() => parseFault("flip:101")).toThrow(/percentage/);
    expect(() => parseFault("empty:3")).toThrow(/no ":N" argument/);
    expect(() => parseFault("badbytes:1x1")).toThrow(/no ":N" argument/);
    expect(() => parseFault("emptyx")).toThrow(/unknown fault/);
    expect(() => parseFault("x2")).toThrow(/unknown fault/);
    expect(() => parseFault("emptyx2x3")).toThrow(/unknown fault/);
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

describe("the simulator's data faults", () => {
  let sim: Simulator;
  const SEED = 5;
  const PER_DAY = 2000;
  const auth = { client: "c1", client_key: "k1-secret" };
  const day = { ...auth, start: "2024-03-04 00:00:00.000000", end: "2024-03-05 00:00:00.000000" };
  const q = (params: Record<string, string>) => `${sim.url}?${new URLSearchParams(params)}`;
  const raw = async (params: Record<string, string>, init?: RequestInit) => {
    const res = await fetch(q(params), init);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const text = async (params: Record<string, string>) => (await raw(params)).toString("utf8");
  /** The JSON text of each record the simulator serves for [start, end) (ISO strings, UTC). */
  const elementsOf = (start: string, end: string) =>
    [...generateAttempts({ seed: SEED, perDay: PER_DAY, start: new Date(start), end: new Date(end) })].map(
      (r) => JSON.stringify(r),
    );
  const join = (elements: string[]) => `[${elements.join(",")}]`;
  let normal: string[];

  beforeAll(async () => {
    sim = await startSimulator({ seed: SEED, perDay: PER_DAY, client: "c1", clientKey: "k1-secret" });
    normal = elementsOf("2024-03-04T00:00Z", "2024-03-05T00:00Z");
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("serves exactly the generator's JSON text without a fault (what the others compare with)", async () => {
    expect(normal.length).toBeGreaterThan(1000);
    expect(await text(day)).toBe(join(normal));
  });

  it("empty: 200 and [] for a window that holds records", async () => {
    expect(await text({ ...day, _fault: "empty" })).toBe("[]");
  });

  it("junk: 200 and an array of numbers", async () => {
    expect(JSON.parse(await text({ ...day, _fault: "junk" }))).toEqual([1, 2, 3]);
  });

  it("half: the records at even indexes, byte for byte", async () => {
    const body = await text({ ...day, _fault: "half" });
    const even = normal.filter((_, i) => i % 2 === 0);
    expect(even).toHaveLength(Math.ceil(normal.length / 2));
    expect(body).toBe(join(even));
    expect(await text({ ...day, _fault: "half" })).toBe(body);
  });

  /** The body split around the one extra element at floor(n/2); the normal records must be intact. */
  const extraOf = (body: Buffer, records: string[]): Buffer => {
    const k = Math.floor(records.length / 2);
    const before = Buffer.from(
      records.length === 0 ? "[" : `[${records.slice(0, k).join(",")}${k > 0 ? "," : ""}`,
    );
    const after = Buffer.from(records.length === 0 ? "]" : `,${records.slice(k).join(",")}]`);
    expect(body.length).toBeGreaterThan(before.length + after.length);
    expect(body.subarray(0, before.length).equals(before)).toBe(true);
    expect(body.subarray(body.length - after.length).equals(after)).toBe(true);
    return body.subarray(before.length, body.length - after.length);
  };

  it("surrogate: one record with a lone-surrogate escape in the middle, the others intact", async () => {
    const body = await raw({ ...day, _fault: "surrogate" });
    const extra = extraOf(body, normal).toString("utf8");
    expect(extra).toContain("\\ud800");
    const record = JSON.parse(extra);
    expect(record.lti_user_id).toBe("bad\ud800user");
    expect(Object.keys(record)).toEqual([
      "lti_user_id",
      "passback_params",
      "is_correct",
      "attempt_type",
      "created_at",
    ]);
    const at = parseApiTime(record.created_at) as number;
    expect(at).toBeGreaterThanOrEqual(parseApiTime(day.start) as number);
    expect(at).toBeLessThan(parseApiTime(day.end) as number);
    // The whole answer is still valid JSON, one element longer.
    expect(JSON.parse(body.toString("utf8"))).toHaveLength(normal.length + 1);
    // An empty window: just that element.
    const none = { ...auth, start: "2024-03-04 00:00:00", end: "2024-03-04 00:00:00" };
    expect(extraOf(await raw({ ...none, _fault: "surrogate" }), []).toString()).toContain("\\ud800");
  });

  it("deep: one element nested 100000 deep in the middle, the others intact", async () => {
    const body = await raw({ ...day, _fault: "deep" });
    const extra = extraOf(body, normal).toString("utf8");
    let depth = 0;
    let max = 0;
    for (const ch of extra) {
      if (ch === "[" || ch === "{") max = Math.max(max, ++depth);
      else if (ch === "]" || ch === "}") depth--;
    }
    expect([depth, max]).toEqual([0, 100_001]);
    expect(extra).toBe(`{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(JSON.parse(body.toString("utf8"))).toHaveLength(normal.length + 1);
  });

  it("badbytes: one record of invalid UTF-8 bytes in the middle, the others intact", async () => {
    const body = await raw({ ...day, _fault: "badbytes" });
    const extra = extraOf(body, normal);
    expect(isUtf8(extra)).toBe(false);
    expect(isUtf8(body)).toBe(false);
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(extra)).toThrow();
    expect(extra.includes(Buffer.from([0xc3, 0x28]))).toBe(true);
    expect(extra.includes(0xff)).toBe(true);
    // Read as Latin-1 it is an ordinary record: only its bytes are wrong.
    expect(JSON.parse(extra.toString("latin1")).lti_user_id).toBe("bad\u00c3(user\u00ff");
  });

  it("trickle: headers at once, then the normal body one byte at a time", async () => {
    // A window holding exactly one record (~300 bytes): about 1.5 s at 5 ms a byte.
    const [first] = simulateAttempts({
      seed: SEED,
      perDay: PER_DAY,
      startMicros: Date.UTC(2024, 2, 4, 12) * 1000,
      endMicros: Date.UTC(2024, 2, 4, 13) * 1000,
    });
    const micros = (first as { micros: number }).micros;
    const one = { ...auth, start: formatMicros(micros), end: formatMicros(micros + 1) };
    const expected = await text(one);
    expect(JSON.parse(expected)).toHaveLength(1);
    const started = Date.now();
    const res = await fetch(q({ ...one, _fault: "trickle:5" }));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    const elapsed = Date.now() - started;
    expect(Buffer.concat(chunks).toString("utf8")).toBe(expected);
    const bytes = Buffer.byteLength(expected);
    expect(chunks.length).toBeGreaterThan(bytes / 2);
    expect(elapsed).toBeGreaterThan(bytes * 5 * 0.8);
  }, 20_000);

  it("trickle: a client that gives up mid-body stops the server's writing", async () => {
    const controller = new AbortController();
    // The whole day would take about an hour at 5 ms a byte.
    const res = await fetch(q({ ...day, _fault: "trickle:5" }), { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let got = 0;
    while (got < 20) got += ((await reader.read()).value as Uint8Array).length;
    expect(sim.inFlight).toBe(1);
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    // The server's answer ends (no byte timer left running) and the server still answers.
    for (let i = 0; i < 50 && sim.inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sim.inFlight).toBe(0);
    expect(await text(day)).toBe(join(normal));
  });

  it("flip: is_correct flipped on about PCT% of the submits, the same ones on every request and cut", async () => {
    const body = await text({ ...day, _fault: "flip:30" });
    const flippedRecords: unknown[] = JSON.parse(body);
    expect(body).toBe(join(flippedRecords.map((r) => JSON.stringify(r))));
    expect(flippedRecords).toHaveLength(normal.length);
    let submits = 0;
    const flipped: string[] = [];
    normal.forEach((text, i) => {
      const before = JSON.parse(text);
      const after = flippedRecords[i] as Record<string, unknown>;
      const valid = before.attempt_type === "submit" && [0, 1, true, false].includes(before.is_correct);
      if (valid) submits++;
      if (JSON.stringify(after) === text) return;
      expect(valid).toBe(true);
      expect(after).toEqual({ ...before, is_correct: after.is_correct });
      expect(typeof after.is_correct).toBe(typeof before.is_correct);
      expect(Number(after.is_correct)).toBe(1 - Number(before.is_correct));
      flipped.push(`${before.lti_user_id} ${before.created_at}`);
    });
    expect(submits).toBeGreaterThan(500);
    expect(flipped.length / submits).toBeGreaterThan(0.22);
    expect(flipped.length / submits).toBeLessThan(0.38);
    // The same records again, and when the day is cut in two.
    expect(await text({ ...day, _fault: "flip:30" })).toBe(body);
    const morning = JSON.parse(await text({ ...day, end: "2024-03-04 07:13:00", _fault: "flip:30" }));
    const rest = JSON.parse(await text({ ...day, start: "2024-03-04 07:13:00", _fault: "flip:30" }));
    expect(morning.length).toBeGreaterThan(0);
    expect([...morning, ...rest]).toEqual(flippedRecords);
    // 0 flips nothing, 100 every valid submit.
    expect(await text({ ...day, _fault: "flip:0" })).toBe(join(normal));
    const all: Record<string, unknown>[] = JSON.parse(await text({ ...day, _fault: "flip:100" }));
    expect(all.filter((r, i) => JSON.stringify(r) !== normal[i])).toHaveLength(submits);
  });

  it("outside: the first N records of the following window appended, byte for byte", async () => {
    const window = { ...auth, start: "2024-03-04 00:00:00", end: "2024-03-04 06:00:00" };
    const inside = elementsOf("2024-03-04T00:00Z", "2024-03-04T06:00Z");
    const later = elementsOf("2024-03-04T06:00Z", "2024-03-04T12:00Z");
    expect(later.length).toBeGreaterThan(5);
    expect(await text({ ...auth, start: "2024-03-04 06:00:00", end: "2024-03-04 12:00:00" })).toBe(
      join(later),
    );
    expect(await text({ ...window, _fault: "outside:3" })).toBe(join([...inside, ...later.slice(0, 3)]));
    expect(await text({ ...window, _fault: "outside" })).toBe(join([...inside, ...later.slice(0, 5)]));
    // A quiet stretch after the window is skipped: the records come from the next hours that have some.
    const none = { ...auth, start: "2024-03-04 00:00:00", end: "2024-03-04 00:00:00" };
    expect(JSON.parse(await text({ ...none, _fault: "outside:2" }))).toEqual(
      JSON.parse(join(normal.slice(0, 2))),
    );
  });

  it("limits data faults to N requests by plan and by header", async () => {
    sim.setFaults(parseFaultPlan("emptyx1,junkx1,halfx1"));
    expect(await text(day)).toBe("[]");
    expect(await text(day)).toBe("[1,2,3]");
    expect(JSON.parse(await text(day))).toHaveLength(Math.ceil(normal.length / 2));
    expect(await text(day)).toBe(join(normal));
    sim.setFaults([]);
    const viaHeader = await fetch(q(day), { headers: { "x-simulator-fault": "badbytesx1" } });
    expect(isUtf8(Buffer.from(await viaHeader.arrayBuffer()))).toBe(false);
  });
});
