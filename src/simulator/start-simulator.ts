import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Fault, type FaultPlan, nextFault, parseFault } from "./fault-plan.ts";
import {
  type ApiRecord,
  DEFAULT_PER_DAY,
  DEFAULT_SEED,
  formatMicros,
  simulateAttempts,
} from "./generate-attempts.ts";
import { parseApiTime } from "./parse-api-time.ts";
import { hash32 } from "./random.ts";
import { renameKey, retypeKey } from "./reshape-record.ts";

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  perDay?: number;
  client?: string;
  clientKey?: string;
  faults?: FaultPlan;
}

export interface Simulator {
  /** The full URL of the endpoint, `http://127.0.0.1:PORT/api/statistics`. */
  readonly url: string;
  /** Requests to the endpoint so far, faulty ones included. */
  readonly requests: number;
  /** Requests still being answered (a client that goes away ends its answer within one pause). */
  readonly inFlight: number;
  /** Replaces the fault plan (the queue starts over). */
  setFaults(faults: FaultPlan): void;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT = "demo";
export const DEFAULT_CLIENT_KEY = "demo-key";
export const SIMULATOR_PATH = "/api/statistics";

const CHUNK_CHARS = 64 * 1024;
const SLOW_CHUNK_CHARS = 8 * 1024;

const HTML_PAGE =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

function sendText(res: ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Writes respecting backpressure; false when the client went away. */
async function write(res: ServerResponse, data: string | Buffer): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(data)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }
  return !res.destroyed;
}

interface BodyOptions {
  seed: number;
  perDay: number;
  startMicros: number;
  endMicros: number;
  fault: Fault | undefined;
}

/** An array element's JSON text; a Buffer when its bytes must go out exactly (not UTF-8). */
type Element = string | Buffer;

/** How far past the window `outside` looks for records (a window of quiet hours is skipped). */
const OUTSIDE_SPAN_US = 31 * 24 * 3_600_000_000;
const DEEP_LEVELS = 100_000;
const HOUR_US = 3_600_000_000;

/** A string hash (FNV-1a over UTF-16 units, then mixed): which submits `flip` picks. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return hash32(h >>> 0);
}

/** Whether `flip` picks this record: the same answer for it on every request and window cut. */
export function flipPicks(record: ApiRecord, percent: number): boolean {
  if (record.attempt_type !== "submit") return false;
  const v = record.is_correct;
  if (v !== 0 && v !== 1 && v !== true && v !== false) return false;
  const key = `${String(record.lti_user_id)}\u0000${String(record.created_at)}`;
  return hashText(key) % 10_000 < percent * 100;
}

function flipped(record: ApiRecord): ApiRecord {
  const v = record.is_correct;
  // Spread keeps the key order, so the text differs only in is_correct.
  return { ...record, is_correct: typeof v === "boolean" ? !v : v === 1 ? 0 : 1 };
}

/** The one element surrogate/deep/badbytes add in the middle of the answer. */
function extraElement(kind: "surrogate" | "deep" | "badbytes", o: BodyOptions): Element {
  const at = formatMicros(o.startMicros + Math.floor(Math.max(0, o.endMicros - o.startMicros) / 2));
  const tail = `","passback_params":"{}","is_correct":null,"attempt_type":"run","created_at":"${at}"}`;
  switch (kind) {
    case "surrogate":
      // The six characters backslash-u-d-8-0-0, as Python's json.dumps writes a lone surrogate.
      return `{"lti_user_id":"bad\\ud800user${tail}`;
    case "deep":
      return `{"a":${"[".repeat(DEEP_LEVELS)}${"]".repeat(DEEP_LEVELS)}}`;
    case "badbytes":
      return Buffer.concat([
        Buffer.from('{"lti_user_id":"bad'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from("user"),
        Buffer.from([0xff]),
        Buffer.from(tail),
      ]);
  }
}

function countRecords(o: BodyOptions): number {
  let n = 0;
  for (const _ of simulateAttempts(o)) n++;
  return n;
}

/** The elements of the answer for the window, as the fault shapes it (never all at once). */
function* elements(o: BodyOptions): Generator<Element> {
  const fault = o.fault;
  if (fault?.kind === "empty") return;
  if (fault?.kind === "junk") {
    yield* ["1", "2", "3"];
    return;
  }
  const extraKind =
    fault?.kind === "surrogate" || fault?.kind === "deep" || fault?.kind === "badbytes"
      ? fault.kind
      : undefined;
  const extra = extraKind && extraElement(extraKind, o);
  // A stale source: nothing from the last `hours` before the request's end.
  const range =
    fault?.kind === "stale"
      ? { ...o, endMicros: Math.max(o.startMicros, o.endMicros - fault.hours * HOUR_US) }
      : o;
  // A counting pass first: the extra element goes after the first floor(n/2) records.
  const extraAt = extra === undefined ? -1 : Math.floor(countRecords(o) / 2);
  let i = 0;
  for (const { record } of simulateAttempts(range)) {
    if (i === extraAt && extra !== undefined) yield extra;
    const index = i++;
    if (fault?.kind === "half" && index % 2 === 1) continue;
    if (fault?.kind === "flip" && flipPicks(record, fault.percent)) yield JSON.stringify(flipped(record));
    else if (fault?.kind === "rename") yield JSON.stringify(renameKey(record, fault.from, fault.to));
    else if (fault?.kind === "retype") yield JSON.stringify(retypeKey(record, fault.key));
    else yield JSON.stringify(record);
  }
  if (i === extraAt && extra !== undefined) yield extra;
  if (fault?.kind === "outside" && fault.count > 0) {
    let left = fault.count;
    const after = { ...o, startMicros: o.endMicros, endMicros: o.endMicros + OUTSIDE_SPAN_US };
    for (const { record } of simulateAttempts(after)) {
      yield JSON.stringify(record);
      if (--left === 0) break;
    }
  }
}

/** Streams the JSON array chunk by chunk: a 2M-record window never exists as one string. */
async function streamBody(res: ServerResponse, o: BodyOptions): Promise<void> {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  const fault = o.fault;
  const kind = fault?.kind;
  const chunkChars = kind === "slow" ? SLOW_CHUNK_CHARS : CHUNK_CHARS;
  // Pauses end early when the client goes, so no timer outlives the connection.
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  const pause = (ms: number) => sleep(ms, undefined, { signal: gone.signal }).catch(() => undefined);
  const cut = async (text: string) => {
    // The first chunk, cut in half: the array never closes.
    res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    if (kind === "abort") res.socket?.destroy();
    else res.end();
  };
  const send = async (data: Element): Promise<boolean> => {
    if (data.length === 0) return !res.destroyed;
    if (fault?.kind !== "trickle") return write(res, data);
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let i = 0; i < bytes.length; i++) {
      if (gone.signal.aborted || !(await write(res, bytes.subarray(i, i + 1)))) return false;
      await pause(fault.ms);
    }
    return !res.destroyed;
  };
  if (kind === "trickle") res.flushHeaders();
  let buffer = "[";
  let first = true;
  for (const element of elements(o)) {
    if (!first) buffer += ",";
    first = false;
    if (typeof element === "string") buffer += element;
    else {
      // Raw bytes: what is buffered goes first, then the bytes as they are.
      if (!(await send(buffer)) || !(await send(element))) return;
      buffer = "";
    }
    if (buffer.length >= chunkChars) {
      if (kind === "truncate" || kind === "abort") return cut(buffer);
      if (!(await send(buffer))) return;
      buffer = "";
      if (fault?.kind === "slow") await pause(fault.ms);
    }
  }
  buffer += "]";
  if (kind === "truncate" || kind === "abort") return cut(buffer);
  if (await send(buffer)) res.end();
}

/**
 * The vendor's statistics endpoint on loopback, as docs/api.md describes it: deterministic
 * records for a seed, client/client_key auth (401/403), and injectable faults.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? DEFAULT_SEED;
  const perDay = options.perDay ?? DEFAULT_PER_DAY;
  const client = options.client ?? DEFAULT_CLIENT;
  const clientKey = options.clientKey ?? DEFAULT_CLIENT_KEY;
  let plan: { fault: Fault; left: number }[] = [];
  const setFaults = (faults: FaultPlan) => {
    plan = faults.map((fault) => ({ fault, left: fault.times ?? Number.POSITIVE_INFINITY }));
  };
  setFaults(options.faults ?? []);
  let requests = 0;
  let inFlight = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== SIMULATOR_PATH) return sendText(res, 404, '{"error":"not found"}');
    if (req.method !== "GET") return sendText(res, 405, '{"error":"method not allowed"}');
    requests++;
    const asked = url.searchParams.get("_fault") ?? req.headers["x-simulator-fault"];
    let fault: Fault | undefined;
    try {
      fault = typeof asked === "string" && asked ? parseFault(asked) : nextFault(plan);
    } catch (error) {
      return sendText(res, 400, JSON.stringify({ error: (error as Error).message }));
    }
    if (fault?.kind === "delay") {
      await sleep(fault.ms);
      if (res.destroyed) return;
    }
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ error: `simulated ${fault.status}` }));
      return;
    }
    if (fault?.kind === "html") return sendText(res, fault.status ?? 200, HTML_PAGE, "text/html");

    const params = url.searchParams;
    if (params.get("client") !== client) return sendText(res, 401, '{"error":"unknown client"}');
    if (params.get("client_key") !== clientKey) return sendText(res, 403, '{"error":"invalid client_key"}');
    const startMicros = parseApiTime(params.get("start") ?? "");
    const endMicros = parseApiTime(params.get("end") ?? "");
    if (startMicros === undefined || endMicros === undefined) {
      return sendText(res, 400, '{"error":"start and end are required: YYYY-MM-DD HH:MM:SS.ffffff"}');
    }
    await streamBody(res, { seed, perDay, startMicros, endMicros, fault });
  }

  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch(() => res.destroy())
      .finally(() => inFlight--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${SIMULATOR_PATH}`,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
