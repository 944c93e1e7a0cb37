import { pythonDictRepr } from "./python-repr.ts";
import { hash32, hex32, randomSource } from "./random.ts";

/** One attempt as the API sends it (a flat JSON object; malformed ones may miss keys). */
export type ApiRecord = Record<string, unknown>;

export type MalformedKind =
  | "missing_user"
  | "null_user"
  | "bad_created_at"
  | "missing_created_at"
  | "bad_attempt_type"
  | "bad_is_correct"
  | "broken_passback";

export interface SimulatedAttempt {
  record: ApiRecord;
  /** The attempt's true time in µs since 1970 (what decides which window it falls in). */
  micros: number;
  malformed?: MalformedKind;
}

export interface GenerateOptions {
  seed?: number;
  /** Average attempts per day over a week (default 9000). */
  perDay?: number;
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_PER_DAY = 9000;
/** Share of records deliberately broken, for the parser's quarantine. */
export const MALFORMED_SHARE = 0.005;

const HOUR_US = 3_600_000_000;
// Activity by hour of day in Moscow time (UTC+3): quiet nights, busy evenings.
const MSK_WEIGHTS = [
  2, 1, 0.6, 0.4, 0.3, 0.4, 0.8, 1.5, 3, 4.5, 5.5, 6, 6, 6, 6, 6, 6, 6.5, 7, 7.5, 7, 6, 4.5, 3,
];
const WEIGHT_SUM = MSK_WEIGHTS.reduce((a, b) => a + b, 0);
// By UTC weekday, Sunday first; normalised so a week averages perDay.
const DAY_FACTORS = [0.75, 1.1, 1.1, 1.1, 1.05, 0.95, 0.8];
const DAY_MEAN = DAY_FACTORS.reduce((a, b) => a + b, 0) / DAY_FACTORS.length;

const COURSES = [
  { key: "SkillFactory+DST-3.0+28FEB2021", weight: 0.35 },
  { key: "SkillFactory+PY-2.0+15MAR2022", weight: 0.3 },
  { key: "SkillFactory+SQL-1.0+10JAN2023", weight: 0.2 },
  { key: "SkillFactory+DA-4.0+01SEP2024", weight: 0.12 },
  // An apostrophe makes Python print the string in double quotes: naive ' -> " parsers break here.
  { key: "SkillFactory+Kid's-Code+2024", weight: 0.03 },
];
const BLOCKS_PER_COURSE = 20;
const MALFORMED_KINDS: MalformedKind[] = [
  "missing_user",
  "null_user",
  "bad_created_at",
  "missing_created_at",
  "bad_attempt_type",
  "bad_is_correct",
  "broken_passback",
];

/** How many attempts an hour holds: a pure function of (seed, perDay, hour). */
function hourCount(seed: number, perDay: number, hour: number): number {
  const rng = randomSource(hash32(seed, hour, 1));
  const at = new Date(hour * 3_600_000);
  const weight = MSK_WEIGHTS[(at.getUTCHours() + 3) % 24] as number;
  const dayFactor = (DAY_FACTORS[at.getUTCDay()] as number) / DAY_MEAN;
  const expected = ((perDay * weight) / WEIGHT_SUM) * dayFactor * (0.85 + 0.3 * rng());
  return Math.floor(expected + rng());
}

let cachedSecond = Number.NaN;
let cachedBase = "";

/** `YYYY-MM-DD HH:MM:SS.ffffff`; like Python's str(datetime), no fraction when it is zero. */
export function formatMicros(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  // Records come in time order: consecutive ones mostly share the second, so format it once.
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedBase = new Date(second * 1000).toISOString().slice(0, 19).replace("T", " ");
  }
  const fraction = micros - second * 1_000_000;
  return fraction === 0 ? cachedBase : `${cachedBase}.${String(fraction).padStart(6, "0")}`;
}

interface Pools {
  seed: number;
  users: number;
  userIds: Map<number, string>;
  tasks: Map<number, TaskText>;
}

/** A task's passback_params around the user id: `head + user + tail` (the user id is plain hex). */
interface TaskText {
  head: string;
  tailWithUrl: string;
  tailWithoutUrl: string;
}

function userId(pools: Pools, index: number): string {
  let id = pools.userIds.get(index);
  if (!id) {
    id = hex32(pools.seed, 1, index);
    pools.userIds.set(index, id);
  }
  return id;
}

function taskText(pools: Pools, course: number, blockIndex: number): TaskText {
  const key = course * 1000 + blockIndex;
  let text = pools.tasks.get(key);
  if (!text) {
    const courseKey = (COURSES[course] as { key: string }).key;
    const block = hex32(pools.seed, 2, course, blockIndex);
    const url = `https://lms.skillfactory.ru/courses/course-v1:${courseKey}/xblock/block-v1:${courseKey}+type@lti+block@${block}/handler_noauth/grade_handler`;
    const USER = "@@USER@@";
    const sourcedid = `course-v1:${courseKey}:lms.skillfactory.ru-${block}:${USER}`;
    // Printed once through the real repr with a placeholder user, then split around it.
    const [head = "", tailWithoutUrl = ""] = pythonDictRepr({
      oauth_consumer_key: "",
      lis_result_sourcedid: sourcedid,
    }).split(USER);
    const [, tailWithUrl = ""] = pythonDictRepr({
      oauth_consumer_key: "",
      lis_result_sourcedid: sourcedid,
      lis_outcome_service_url: url,
    }).split(USER);
    text = { head, tailWithUrl, tailWithoutUrl };
    pools.tasks.set(key, text);
  }
  return text;
}

function pickCourse(r: number): number {
  let acc = 0;
  for (let i = 0; i < COURSES.length; i++) {
    acc += (COURSES[i] as { weight: number }).weight;
    if (r < acc) return i;
  }
  return COURSES.length - 1;
}

function passback(pools: Pools, rng: () => number, user: string): string | null {
  const variant = rng();
  if (variant < 0.015) return null;
  if (variant < 0.03) return "";
  const task = taskText(pools, pickCourse(rng()), Math.floor(rng() * BLOCKS_PER_COURSE));
  // A 2025 capture has no lis_outcome_service_url at all.
  return task.head + user + (variant >= 0.07 ? task.tailWithUrl : task.tailWithoutUrl);
}

function breakRecord(record: ApiRecord, kind: MalformedKind, rng: () => number): void {
  switch (kind) {
    case "missing_user":
      delete record.lti_user_id;
      break;
    case "null_user":
      record.lti_user_id = null;
      break;
    case "bad_created_at":
      record.created_at = rng() < 0.5 ? "2023-02-30 25:61:00" : "not a date";
      break;
    case "missing_created_at":
      delete record.created_at;
      break;
    case "bad_attempt_type":
      record.attempt_type = "compile";
      break;
    case "bad_is_correct":
      record.attempt_type = "submit";
      record.is_correct = 2;
      break;
    case "broken_passback": {
      const text = typeof record.passback_params === "string" ? record.passback_params : "";
      record.passback_params =
        text.length > 10 ? text.slice(0, Math.floor(text.length / 2)) : "{'oauth_consumer_key': '";
      break;
    }
  }
}

function* hourAttempts(pools: Pools, perDay: number, hour: number): Generator<SimulatedAttempt> {
  const n = hourCount(pools.seed, perDay, hour);
  if (n === 0) return;
  const rng = randomSource(hash32(pools.seed, hour, 2));
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Math.floor(rng() * HOUR_US));
  offsets.sort((a, b) => a - b);
  for (const offset of offsets) {
    let micros = hour * HOUR_US + offset;
    // Python prints no fraction when microseconds are 0; keep a few such records.
    if (rng() < 0.003) micros -= micros % 1_000_000;
    // Active users make most attempts: squaring skews the pick toward low indices.
    const user = userId(pools, Math.floor(rng() ** 2 * pools.users));
    const isSubmit = rng() < 0.42;
    let isCorrect: number | boolean | null = null;
    if (isSubmit) {
      const correct = rng() < 0.45;
      // The contract says clients should also accept true/false.
      isCorrect = rng() < 0.003 ? correct : correct ? 1 : 0;
    }
    const record: ApiRecord = {
      lti_user_id: user,
      passback_params: passback(pools, rng, user),
      is_correct: isCorrect,
      attempt_type: isSubmit ? "submit" : "run",
      created_at: formatMicros(micros),
    };
    const attempt: SimulatedAttempt = { record, micros };
    if (rng() < MALFORMED_SHARE) {
      const kind = MALFORMED_KINDS[Math.floor(rng() * MALFORMED_KINDS.length)] as MalformedKind;
      breakRecord(record, kind, rng);
      attempt.malformed = kind;
    }
    yield attempt;
  }
}

export interface MicrosRange {
  seed?: number;
  perDay?: number;
  startMicros: number;
  endMicros: number;
}

/** Attempts with start <= time < end, in time order, with their true time and malformation. */
export function* simulateAttempts(options: MicrosRange): Generator<SimulatedAttempt> {
  const pools: Pools = {
    seed: options.seed ?? DEFAULT_SEED,
    users: Math.max(10, Math.round((options.perDay ?? DEFAULT_PER_DAY) / 8)),
    userIds: new Map(),
    tasks: new Map(),
  };
  const perDay = options.perDay ?? DEFAULT_PER_DAY;
  const { startMicros, endMicros } = options;
  for (let hour = Math.floor(startMicros / HOUR_US); hour * HOUR_US < endMicros; hour++) {
    for (const attempt of hourAttempts(pools, perDay, hour)) {
      if (attempt.micros >= startMicros && attempt.micros < endMicros) yield attempt;
    }
  }
}

const toRange = (o: GenerateOptions): MicrosRange => ({
  seed: o.seed,
  perDay: o.perDay,
  startMicros: o.start.getTime() * 1000,
  endMicros: o.end.getTime() * 1000,
});

/**
 * The records the simulator serves for [start, end): deterministic for (seed, perDay) and
 * independent of how a range is cut into windows, so tests can compute expected counts.
 */
export function* generateAttempts(options: GenerateOptions): Generator<ApiRecord> {
  for (const attempt of simulateAttempts(toRange(options))) yield attempt.record;
}

export function countAttempts(options: GenerateOptions): number {
  let n = 0;
  for (const _ of simulateAttempts(toRange(options))) n++;
  return n;
}
