/** Infrastructure errors with codes. Domain refusals are values (src/domain/errors.ts), never these. */
export type AppErrorCode =
  | 'VERIFICATION_FAILED'
  | 'MALFORMED_PAYLOAD'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFIG_INVALID'
  | 'UNKNOWN';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad or missing signature, stale timestamp, wrong token, undecryptable body: the edge answers 401. */
export class VerificationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VERIFICATION_FAILED', message, options);
  }
}

/** Not JSON / not the expected shape: the edge answers 400. */
export class MalformedPayloadError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_PAYLOAD', message, options);
  }
}

export function asAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('UNKNOWN', e instanceof Error ? e.message : String(e), { cause: e });
}
