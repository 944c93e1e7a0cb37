import { generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A local stand-in for the Google Sheets v4 API, speaking the same HTTP the real googleapis client
 * sends: GET spreadsheets/ID, POST :batchUpdate (addSheet, updateCells with notes), GET/PUT values/RANGE and
 * POST values/RANGE:append. Sheets live in memory. Every request must carry a Bearer JWT signed
 * (RS256) by the service account whose key this fake generated, as Google checks self-signed JWTs.
 */
export interface FakeRequest {
  method: string;
  /** Decoded path, e.g. `/v4/spreadsheets/ID/values/'daily_summary'!A1`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The verified JWT's claims. */
  claims: Record<string, unknown>;
}

export interface FakeSheets {
  /** API root for `exports.sheets.root_url`. */
  url: string;
  spreadsheetId: string;
  /** A service-account JSON key file whose private key this fake trusts. */
  credentialsFile: string;
  clientEmail: string;
  /** Worksheet title → rows of cells. */
  sheets: Map<string, unknown[][]>;
  /** Cell notes by `title!A1`-style address. */
  notes: Map<string, string>;
  requests: FakeRequest[];
  /** Requests refused for a missing or invalid token. */
  rejected: number;
  /** The next `count` authorised requests answer `status` (a transient outage). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

function b64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function verifyJwt(
  header: string | undefined,
  key: KeyObject,
  email: string,
): Record<string, unknown> | string {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m) return "no Bearer token";
  const [h, p, s] = (m[1] as string).split(".");
  if (!h || !p || !s) return "malformed JWT";
  const head = JSON.parse(b64url(h).toString("utf8")) as { alg?: string };
  if (head.alg !== "RS256") return `unexpected alg ${head.alg}`;
  if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, b64url(s))) return "bad signature";
  const claims = JSON.parse(b64url(p).toString("utf8")) as Record<string, unknown>;
  if (claims.iss !== email) return `unexpected issuer ${String(claims.iss)}`;
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return "expired";
  const scope = String(claims.scope ?? "");
  if (!scope.includes("https://www.googleapis.com/auth/spreadsheets")) return "missing spreadsheets scope";
  return claims;
}

const COLUMN = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

/** `'My sheet'!B3:D` → title and 0-based start row/column. */
function parseRange(range: string): { title: string; row: number; col: number } {
  const m = /^(?:'((?:[^']|'')*)'|([^!]+))(?:!([A-Z]+)(\d+)?(?::[A-Z]*\d*)?)?$/.exec(range);
  if (!m) throw new HttpError(400, `Unable to parse range: ${range}`);
  const title = m[1] !== undefined ? m[1].replace(/''/g, "'") : (m[2] as string);
  return { title, row: m[4] ? Number(m[4]) - 1 : 0, col: m[3] ? COLUMN(m[3]) : 0 };
}

interface BatchRequest {
  addSheet?: { properties?: { title?: string } };
  updateCells?: {
    range?: { sheetId?: number; startRowIndex?: number; startColumnIndex?: number };
    rows?: { values?: { note?: string }[] }[];
    fields?: string;
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === "";

/** What the API returns: trailing empty cells and rows trimmed. */
function trimmed(rows: unknown[][]): unknown[][] {
  const out = rows.map((r) => {
    const row = [...r];
    while (row.length > 0 && isEmpty(row.at(-1))) row.pop();
    return row.map((v) => (v === undefined ? "" : v));
  });
  while (out.length > 0 && (out.at(-1) as unknown[]).length === 0) out.pop();
  return out;
}

function writeAt(rows: unknown[][], row: number, col: number, values: unknown[][]): void {
  values.forEach((vals, i) => {
    const target = rows[row + i] ?? [];
    while (rows.length <= row + i) rows.push([]);
    vals.forEach((v, j) => {
      target[col + j] = v;
    });
    rows[row + i] = target;
  });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeSheets(
  options: { spreadsheetId?: string; sheets?: Record<string, unknown[][]> } = {},
): Promise<FakeSheets> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spreadsheetId = options.spreadsheetId ?? "sheet-123";
  const clientEmail = "elt-export@elt-test.iam.gserviceaccount.com";
  const sheets = new Map<string, unknown[][]>(
    Object.entries(options.sheets ?? { Sheet1: [] }).map(([k, v]) => [k, v.map((r) => [...r])]),
  );
  const requests: FakeRequest[] = [];
  const notes = new Map<string, string>();
  let failures = 0;
  let failStatus = 503;
  let rejected = 0;

  /** updateCells with fields "note": each cell's note, from the range's first row and column. */
  function updateNotes(u: NonNullable<BatchRequest["updateCells"]>): object {
    if (u.fields !== "note") throw new HttpError(400, "only fields: note is supported");
    const title = [...sheets.keys()][u.range?.sheetId ?? -1];
    if (title === undefined) throw new HttpError(400, `No grid with id: ${u.range?.sheetId}`);
    (u.rows ?? []).forEach((row, i) => {
      (row.values ?? []).forEach((cell, j) => {
        const col = String.fromCharCode(65 + (u.range?.startColumnIndex ?? 0) + j);
        const address = `${title}!${col}${(u.range?.startRowIndex ?? 0) + i + 1}`;
        if (cell.note) notes.set(address, cell.note);
        else notes.delete(address);
      });
    });
    return {};
  }

  function handle(method: string, path: string, query: Record<string, string>, body: unknown): unknown {
    const sheetPath = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(path);
    if (!sheetPath) throw new HttpError(404, `no route ${method} ${path}`);
    if (sheetPath[1] !== spreadsheetId) throw new HttpError(404, "Requested entity was not found.");
    const rest = sheetPath[2] as string;
    if (method === "GET" && rest === "") {
      return {
        spreadsheetId,
        sheets: [...sheets.keys()].map((title, index) => ({ properties: { sheetId: index, title, index } })),
      };
    }
    if (method === "POST" && rest === ":batchUpdate") {
      const reqs = (body as { requests?: BatchRequest[] }).requests ?? [];
      const replies = reqs.map((r) => {
        if (r.updateCells) return updateNotes(r.updateCells);
        const title = r.addSheet?.properties?.title;
        if (!title) throw new HttpError(400, "only addSheet and updateCells are supported");
        if (sheets.has(title)) throw new HttpError(400, `A sheet with the name "${title}" already exists.`);
        sheets.set(title, []);
        return { addSheet: { properties: { sheetId: sheets.size - 1, title, index: sheets.size - 1 } } };
      });
      return { spreadsheetId, replies };
    }
    const values = /^\/values\/(.+?)(:append)?$/.exec(rest);
    if (!values) throw new HttpError(404, `no route ${method} ${path}`);
    const range = parseRange(values[1] as string);
    const rows = sheets.get(range.title);
    if (!rows) throw new HttpError(400, `Unable to parse range: ${values[1]}`);
    if (method === "GET" && !values[2]) {
      const out = trimmed(rows.slice(range.row).map((r) => r.slice(range.col)));
      return { range: values[1], majorDimension: "ROWS", ...(out.length > 0 ? { values: out } : {}) };
    }
    if (query.valueInputOption !== "RAW" && query.valueInputOption !== "USER_ENTERED") {
      throw new HttpError(400, "valueInputOption is required");
    }
    const incoming = (body as { values?: unknown[][] }).values ?? [];
    if (method === "PUT" && !values[2]) {
      writeAt(rows, range.row, range.col, incoming);
      return { spreadsheetId, updatedRange: values[1], updatedRows: incoming.length };
    }
    if (method === "POST" && values[2]) {
      const at = trimmed(rows).length;
      writeAt(rows, at, range.col, incoming);
      return { spreadsheetId, updates: { updatedRows: incoming.length } };
    }
    throw new HttpError(404, `no route ${method} ${path}`);
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(payload));
    };
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = decodeURIComponent(url.pathname);
      const query = Object.fromEntries(url.searchParams);
      const body = await readBody(req);
      const claims = verifyJwt(req.headers.authorization, publicKey, clientEmail);
      if (typeof claims === "string") {
        rejected++;
        send(401, {
          error: { code: 401, message: `Request had invalid authentication credentials: ${claims}` },
        });
        return;
      }
      requests.push({ method: req.method ?? "GET", path, query, body, claims });
      if (failures > 0) {
        failures--;
        send(failStatus, { error: { code: failStatus, message: "The service is currently unavailable." } });
        return;
      }
      send(200, handle(req.method ?? "GET", path, query, body));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      send(status, { error: { code: status, message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;

  const credentialsFile = join(mkdtempSync(join(tmpdir(), "elt-sa-")), "service-account.json");
  writeFileSync(
    credentialsFile,
    JSON.stringify({
      type: "service_account",
      project_id: "elt-test",
      private_key_id: "fake-key-1",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
      client_email: clientEmail,
      client_id: "1",
      token_uri: `${url}token`,
    }),
  );

  return {
    url,
    spreadsheetId,
    credentialsFile,
    clientEmail,
    sheets,
    notes,
    requests,
    get rejected() {
      return rejected;
    },
    failNext(count, status = 503) {
      failures = count;
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
