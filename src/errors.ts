import { isConnectionError } from "./db/is-connection-error.ts";

/**
 * The one error hierarchy. `exitCode` follows DEVELOPERS.md:
 * 0 ok, 1 the run finished with failures, 2 usage or config error, 3 unexpected.
 */
export type ExitCode = 0 | 1 | 2 | 3;

export interface EltErrorOptions {
  code: string;
  exitCode?: ExitCode;
  hint?: string;
  cause?: unknown;
}

export class EltError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: EltErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EltError";
    this.code = options.code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** Usage or configuration mistakes: the user must change something before rerunning (exit 2). */
export class ConfigError extends EltError {
  constructor(message: string, options: Omit<EltErrorOptions, "exitCode"> = { code: "CONFIG" }) {
    super(message, { ...options, exitCode: 2 });
    this.name = "ConfigError";
  }
}

/** The work ran and some part of it failed (exit 1): a download, a model, a test, an export. */
export class RunFailedError extends EltError {
  constructor(message: string, options: Omit<EltErrorOptions, "exitCode"> = { code: "RUN_FAILED" }) {
    super(message, { ...options, exitCode: 1 });
    this.name = "RunFailedError";
  }
}

/**
 * PostgreSQL could not be reached, or the connection was lost and the retries did not bring it back
 * (exit 1): an outage, not a bug. The next run catches up from the watermark.
 */
export class DatabaseUnavailableError extends EltError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: "DATABASE_UNAVAILABLE",
      exitCode: 1,
      hint: "check that the database server is up and reachable (database.url / DATABASE_URL); the next run catches up",
      cause,
    });
    this.name = "DatabaseUnavailableError";
  }
}

export function isEltError(error: unknown): error is EltError {
  return error instanceof EltError;
}

/**
 * What an error means to the user, in one place: an EltError as it is; a refused or lost database
 * connection (see isConnectionError) as a DatabaseUnavailableError; anything else is a bug
 * (undefined). Exit codes, stage failures and the printed message all go through it.
 */
export function knownError(error: unknown): EltError | undefined {
  if (isEltError(error)) return error;
  if (isConnectionError(error)) {
    return new DatabaseUnavailableError(`database unavailable: ${errorMessage(error)}`, error);
  }
  return undefined;
}

export function exitCodeOf(error: unknown): ExitCode {
  return knownError(error)?.exitCode ?? 3;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
