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
  | { kind: "slow"; ms: number; times?: number };

export type FaultPlan = Fault[];

/**
 * One fault from text: `503`, `429` or `429:2` (Retry-After seconds), `delay:1500`, `reset`,
 * `abort`, `truncate`, `html` or `html:502`, `slow:20`; a suffix `x2` limits it to 2 requests.
 */
export function parseFault(text: string): Fault {
  const m = /^\s*(\d{3}|[a-z]+)(?::(\d+))?(?:x(\d+))?\s*$/i.exec(text);
  if (!m) throw new Error(`unknown fault "${text}"`);
  const [, name = "", arg, times] = m;
  const base = times ? { times: Number(times) } : {};
  const n = arg === undefined ? undefined : Number(arg);
  if (/^\d{3}$/.test(name)) {
    return { kind: "status", status: Number(name), ...(n !== undefined ? { retryAfter: n } : {}), ...base };
  }
  switch (name.toLowerCase()) {
    case "delay":
      return { kind: "delay", ms: n ?? 1000, ...base };
    case "slow":
      return { kind: "slow", ms: n ?? 20, ...base };
    case "html":
      return { kind: "html", ...(n !== undefined ? { status: n } : {}), ...base };
    case "reset":
    case "abort":
    case "truncate":
      return { kind: name.toLowerCase() as "reset" | "abort" | "truncate", ...base };
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
