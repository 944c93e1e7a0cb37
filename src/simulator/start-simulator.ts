import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Fault, type FaultPlan, nextFault, parseFault } from "./fault-plan.ts";
import { DEFAULT_PER_DAY, DEFAULT_SEED, simulateAttempts } from "./generate-attempts.ts";
import { parseApiTime } from "./parse-api-time.ts";

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
async function write(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(text)) {
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

/** Streams the JSON array chunk by chunk: a 2M-record window never exists as one string. */
async function streamBody(res: ServerResponse, o: BodyOptions): Promise<void> {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  const kind = o.fault?.kind;
  const chunkChars = kind === "slow" ? SLOW_CHUNK_CHARS : CHUNK_CHARS;
  const cut = async (text: string) => {
    // The first chunk, cut in half: the array never closes.
    res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    if (kind === "abort") res.socket?.destroy();
    else res.end();
  };
  let buffer = "[";
  let first = true;
  for (const { record } of simulateAttempts(o)) {
    buffer += (first ? "" : ",") + JSON.stringify(record);
    first = false;
    if (buffer.length >= chunkChars) {
      if (kind === "truncate" || kind === "abort") return cut(buffer);
      if (!(await write(res, buffer))) return;
      buffer = "";
      if (o.fault?.kind === "slow") await sleep(o.fault.ms);
    }
  }
  buffer += "]";
  if (kind === "truncate" || kind === "abort") return cut(buffer);
  if (await write(res, buffer)) res.end();
}

/**
 * The vendor's statistics endpoint on loopback, as shared/api.md describes it: deterministic
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
    handle(req, res).catch(() => res.destroy());
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
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
