import { describe, expect, it } from "vitest";
import { isConnectionError } from "../../src/db/is-connection-error.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { ConfigError, EltError } from "../../src/errors.ts";

describe("openDatabase", () => {
  it("rejects a connection string pg cannot parse with a config error that does not echo it", async () => {
    const error = await openDatabase({
      url: "postgres://grade:Pg9/secret@db:5432/grade",
      embeddedDir: "unused",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/not a valid URL; percent-encode special characters/);
    expect((error as Error).message).not.toMatch(/secret|grade/);
    expect(String((error as Error).stack)).not.toMatch(/secret/);
  });

  it("names an unreachable server without its password (exit 1)", async () => {
    const error = await openDatabase({
      url: "postgres://u:hunter2pw@127.0.0.1:1/x",
      embeddedDir: "unused",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EltError);
    expect(error).toMatchObject({ code: "DATABASE_UNAVAILABLE", exitCode: 1 });
    expect((error as Error).message).toMatch(
      /^cannot connect to postgres:\/\/127\.0\.0\.1:1\/x: the database is unavailable: /,
    );
    expect((error as Error).message).not.toContain("hunter2pw");
  });
});

describe("isConnectionError", () => {
  const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

  it("recognises lost or refused connections", () => {
    for (const code of [
      "57P01",
      "57P02",
      "57P03",
      "08006",
      "08003",
      "08P01",
      "ECONNRESET",
      "EPIPE",
      "ECONNREFUSED",
    ]) {
      expect(isConnectionError(withCode(code)), code).toBe(true);
    }
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(
      isConnectionError(new Error("Client has encountered a connection error and is not queryable")),
    ).toBe(true);
    expect(isConnectionError(new Error("landing failed", { cause: withCode("57P01") }))).toBe(true);
  });

  it("leaves statement errors alone", () => {
    for (const code of ["22P02", "23505", "42P01", "57014", "40001"]) {
      expect(isConnectionError(withCode(code)), code).toBe(false);
    }
    expect(isConnectionError(undefined)).toBe(false);
    expect(isConnectionError("Connection terminated")).toBe(false);
    expect(isConnectionError(new Error("invalid input syntax for type json"))).toBe(false);
  });
});
