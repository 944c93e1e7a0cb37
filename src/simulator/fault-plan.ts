/**
 * Faults the simulator can inject. A plan is a queue: each fault applies to the next `times`
 * requests (default: every request from then on), then the next fault takes over; after the
 * plan, requests are served normally. A request can also ask for one fault itself with the
 * `_fault` query parameter or the `x-simulator-fault` header, in the text form parseFault reads.
 */
export type Fault =
  | { kind: "status"; status: number; retryAfter?: number; times?: number }
  /** Waits before answering (a slow server; longer than the client's timeout = a timeout). */
  | { kind: "delay"; ms: number; times?: number }
  /** Closes the connection without an answer. */
  | { kind: "reset"; times?: number }
  /** 200, then half of the body, then the socket is destroyed (a network failure mid-body). */
  | { kind: "abort"; times?: number }
  /** 200 and a body cut off mid-array, ended cleanly (no closing bracket). */
  | { kind: "truncate"; times?: number }
  /** An HTML error page, as a proxy sends one (status 200 unless given). */
  | { kind: "html"; status?: number; times?: number }
  /** The full body in small pieces with a pause between them (a slow, long download). */
  | { kind: "slow"; ms: number; times?: number }
  /** 200 and `[]`, whatever the window holds (an API that lost the data, or not yet indexed it). */
  | { kind: "empty"; times?: number }
  /** 200 and `[1,2,3]`: valid JSON, an array, but of no objects. */
  | { kind: "junk"; times?: number }
  /** 200 and only every second record of the window (indexes 0, 2, 4… of the normal answer). */
  | { kind: "half"; times?: number }
  /**
   * The normal answer plus one record in the middle whose lti_user_id holds a lone surrogate,
   * written as the six characters `\ud800` (as Python's json.dumps emits it); PostgreSQL's jsonb
   * refuses it. The extra element comes after the first floor(n/2) of the n normal records.
   */
  | { kind: "surrogate"; times?: number }
  /**
   * The normal answer plus one element in the middle nested 100000 deep
   * (`{"a":[[[…]]]}`): valid JSON past PostgreSQL's stack depth limit.
   */
  | { kind: "deep"; times?: number }
  /**
   * The normal answer plus one record in the middle whose lti_user_id holds bytes that are not
   * UTF-8 (0xC3 0x28 and 0xFF), sent as raw bytes.
   */
  | { kind: "badbytes"; times?: number }
  /**
   * 200 and headers at once, then the normal body one byte at a time, `ms` between bytes: never
   * idle long enough for an idle timeout (if ms is small), but endless. Stops when the client goes.
   */
  | { kind: "trickle"; ms: number; times?: number }
  /**
   * The normal answer with is_correct flipped (0↔1, true↔false, type kept) on about `percent`% of
   * the submit records, chosen by a hash of lti_user_id and created_at: the same records on every
   * request and for any window cut (the API re-sending an attempt with another result).
   */
  | { kind: "flip"; percent: number; times?: number }
  /**
   * The normal answer plus, at its end, the first `count` records from just after the window (the
   * same bytes a request for a window starting at its end returns first).
   */
  | { kind: "outside"; count: number; times?: number }
  /**
   * A stale source: the normal answer without the records of the last `hours` hours before the
   * request's end (a source that stopped sending; a large N: nothing at all lately).
   */
  | { kind: "stale"; hours: number; times?: number }
  /**
   * Every record with key `from` renamed `to`, in place; `field.key` renames a key inside the Python
   * dict text of `field` (`rename:passback_params.lis_result_sourcedid=sourcedid`).
   */
  | { kind: "rename"; from: string; to: string; times?: number }
  /**
   * Every record's value of `key` (or `field.key` inside the dict text) of another JSON type:
   * strings become numbers (their length), numbers and booleans strings; null stays null.
   */
  | { kind: "retype"; key: string; times?: number };

/** The kinds whose text form takes no `:N` argument. */
const PLAIN = [
  "reset",
  "abort",
  "truncate",
  "empty",
  "junk",
  "half",
  "surrogate",
  "deep",
  "badbytes",
] as const;
type PlainKind = (typeof PLAIN)[number];

export type FaultPlan = Fault[];

/**
 * One fault from text: `503`, `429` or `429:2` (Retry-After seconds), `delay:1500`, `reset`,
 * `abort`, `truncate`, `html` or `html:502`, `slow:20`, `empty`, `junk`, `half`, `surrogate`,
 * `deep`, `badbytes`, `trickle` or `trickle:5` (ms between bytes, default 1000), `flip` or
 * `flip:30` (percent of submits, default 10), `outside` or `outside:3` (records from after the
 * window, default 5), `stale:36` (hours withheld before the request's end), `rename:old=new`,
 * `retype:key` (keys, or `field.key` inside passback_params' dict text). A suffix `x2` limits it to
 * 2 requests: `emptyx2`, `flip:10x1`, `429:1x3`, `retype:is_correctx1`. Names never end in `x`, so
 * `badbytesx1` is `badbytes` once (a key ending in x and digits cannot be named without a suffix).
 */
export function parseFault(text: string): Fault {
  const m = /^\s*(\d{3}|[a-z]+?)(?::([^\s,]+?))?(?:x(\d+))?\s*$/i.exec(text);
  if (!m) throw new Error(`unknown fault "${text}"`);
  const [, rawName = "", arg, times] = m;
  const name = rawName.toLowerCase();
  const base = times ? { times: Number(times) } : {};
  if (name === "rename") {
    const [from, to, ...rest] = (arg ?? "").split("=");
    if (!from || !to || rest.length > 0) throw new Error(`fault "${text}": expected rename:old=new`);
    return { kind: "rename", from, to, ...base };
  }
  if (name === "retype") {
    if (!arg) throw new Error(`fault "${text}": expected retype:key`);
    return { kind: "retype", key: arg, ...base };
  }
  if (arg !== undefined && !/^\d+$/.test(arg)) throw new Error(`fault "${text}": ${name} takes a number`);
  const n = arg === undefined ? undefined : Number(arg);
  if (/^\d{3}$/.test(name)) {
    return { kind: "status", status: Number(name), ...(n !== undefined ? { retryAfter: n } : {}), ...base };
  }
  if ((PLAIN as readonly string[]).includes(name)) {
    if (n !== undefined) throw new Error(`fault "${text}": ${name} takes no ":N" argument`);
    return { kind: name as PlainKind, ...base };
  }
  switch (name) {
    case "delay":
      return { kind: "delay", ms: n ?? 1000, ...base };
    case "slow":
      return { kind: "slow", ms: n ?? 20, ...base };
    case "html":
      return { kind: "html", ...(n !== undefined ? { status: n } : {}), ...base };
    case "trickle":
      return { kind: "trickle", ms: n ?? 1000, ...base };
    case "flip":
      if (n !== undefined && n > 100) throw new Error(`fault "${text}": flip takes a percentage, 0 to 100`);
      return { kind: "flip", percent: n ?? 10, ...base };
    case "outside":
      return { kind: "outside", count: n ?? 5, ...base };
    case "stale":
      return { kind: "stale", hours: n ?? 36, ...base };
    default:
      throw new Error(`unknown fault "${text}"`);
  }
}

/** A comma-separated plan: `429:1x2,503x1`. */
export function parseFaultPlan(text: string): FaultPlan {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseFault);
}

/** Takes the fault for the next request off a plan (mutating the remaining counts). */
export function nextFault(plan: { fault: Fault; left: number }[]): Fault | undefined {
  while (plan.length > 0) {
    const head = plan[0] as { fault: Fault; left: number };
    if (head.left <= 0) {
      plan.shift();
      continue;
    }
    head.left--;
    return head.fault;
  }
  return undefined;
}
