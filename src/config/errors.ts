/**
 * Errors a user can fix. The CLI prints their message (no stack trace) and exits with `exitCode`.
 * Anything else that escapes is a bug in scale-bench and is reported as one.
 */
export class UsageError extends Error {
  /** Exit status: 2 = usage or input error (documented in --help and the README). */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A file we read is missing, unreadable, malformed or of the wrong version. */
export class InputError extends UsageError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'InputError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
