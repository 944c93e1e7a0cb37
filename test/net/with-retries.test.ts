// The one retry helper (src/net): what is transient, Retry-After from any client's error, and the
// loop's attempts. Errors are real where a client can produce them here (fetch to a closed port),
// else shaped as ky, gaxios and nodemailer shape theirs.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError, DatabaseUnavailableError, EltError } from "../../src/errors.ts";
import { WindowAttemptError } from "../../src/extract/window-attempt-error.ts";
import { isTransient } from "../../src/net/is-transient.ts";
import { retryAfterOf } from "../../src/net/retry-after.ts";
import { withRetries } from "../../src/net/with-retries.ts";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const httpError = (status: number, extra: object = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, response: { status, headers: {} } }, extra);

describe("isTransient", () => {
  it("network errors and timeouts are transient, wrapped or not", async () => {
    const refused = await fetch(`http://127.0.0.1:${await closedPort()}/`).catch((e: unknown) => e);
    expect(String((refused as { cause?: { code?: string } }).cause?.code)).toBe("ECONNREFUSED");
    expect(isTransient(refused)).toBe(true);
    // A server that accepts and never answers: the client's timeout.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const timeout = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50) }).catch(
      (e: unknown) => e,
    );
    silent.close();
    expect((timeout as Error).name).toBe("TimeoutError");
    expect(isTransient(timeout)).toBe(true);
    expect(isTransient(Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT" }))).toBe(
      true,
    );
    expect(isTransient(new DatabaseUnavailableError("gone"))).toBe(true);
  });

  it("HTTP: 408, 429 and 5xx are transient; other 4xx terminal; Google's rate limits transient", () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isTransient(httpError(s)), String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 422]) expect(isTransient(httpError(s)), String(s)).toBe(false);
    // Google answers some quota errors with 403 and a reason.
    const quota = httpError(403, {
      response: { status: 403, data: { error: { errors: [{ reason: "userRateLimitExceeded" }] } } },
    });
    expect(isTransient(quota)).toBe(true);
    expect(isTransient(httpError(400, { status: "UNAVAILABLE" }))).toBe(true);
  });

  it("SMTP: 4xx replies transient, 5xx and refused credentials terminal", () => {
    const smtp = (code: string, responseCode?: number) =>
      Object.assign(new Error(code), { code, ...(responseCode ? { responseCode } : {}) });
    expect(isTransient(smtp("EENVELOPE", 451))).toBe(true);
    expect(isTransient(smtp("EENVELOPE", 550))).toBe(false);
    expect(isTransient(smtp("EAUTH", 535))).toBe(false);
    expect(isTransient(smtp("EAUTH"))).toBe(false);
    expect(isTransient(smtp("ECONNECTION"))).toBe(true);
  });

  it("our own errors are terminal, a window attempt says itself, the unknown is terminal", () => {
    expect(isTransient(new ConfigError("bad key", { code: "CONFIG" }))).toBe(false);
    expect(isTransient(new EltError("failed", { code: "X" }))).toBe(false);
    expect(isTransient(new WindowAttemptError("cut body", { retriable: true, httpStatus: 200 }))).toBe(true);
    expect(isTransient(new WindowAttemptError("HTTP 401", { retriable: false, httpStatus: 401 }))).toBe(
      false,
    );
    expect(isTransient(new TypeError("x is not a function"))).toBe(false);
    expect(isTransient("a string")).toBe(false);
  });
});

describe("retryAfterOf", () => {
  it("reads ours, a fetch Headers and plain headers; seconds or a date", () => {
    expect(retryAfterOf(new WindowAttemptError("429", { retriable: true, retryAfterMs: 1500 }))).toBe(1500);
    expect(retryAfterOf({ response: { headers: new Headers({ "Retry-After": "3" }) } })).toBe(3000);
    const at = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterOf({ response: { headers: { "retry-after": at } } })).toBeGreaterThan(50_000);
    expect(retryAfterOf(new Error("no response"))).toBeUndefined();
  });
});

describe("withRetries", () => {
  const policy = { label: "test", retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

  it("retries transient failures, then returns; every failure reaches onFailure", async () => {
    const seen: [number, boolean][] = [];
    const value = await withRetries(
      policy,
      async (n) => {
        if (n < 3) throw httpError(503);
        return n;
      },
      { onFailure: (_e, n, final) => void seen.push([n, final]) },
    );
    expect(value).toBe(3);
    expect(seen).toEqual([
      [1, false],
      [2, false],
    ]);
  });

  it("stops at a terminal error, and after the last attempt, rethrowing the error itself", async () => {
    let calls = 0;
    const terminal = httpError(401);
    await expect(
      withRetries(policy, async () => {
        calls++;
        throw terminal;
      }),
    ).rejects.toBe(terminal);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetries(policy, async () => {
        calls++;
        throw httpError(500);
      }),
    ).rejects.toThrow("HTTP 500");
    expect(calls).toBe(3);
  });

  it("waits what Retry-After asks, capped by maxDelayMs", async () => {
    const t0 = performance.now();
    await withRetries({ ...policy, maxDelayMs: 300 }, async (n) => {
      if (n === 1) throw new WindowAttemptError("429", { retriable: true, retryAfterMs: 200 });
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });
});
