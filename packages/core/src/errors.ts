/**
 * The one closed set of error codes Cairn uses, and the one table that maps each to an HTTP status.
 * A new code cannot be added without its status: `ERROR_STATUS` is a `Record<ErrorCode, number>`.
 */
export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  ENDPOINT_NOT_FOUND: 'ENDPOINT_NOT_FOUND',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ENDPOINT_NOT_FOUND: 404,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorDetails {
  /** The request field the error is about, as a dotted path (`metrics[3].value`). */
  field?: string;
  /** For errors in a string the user wrote (a search filter), the 0-based character offset. */
  position?: number;
  [key: string]: unknown;
}

/** An expected failure: carries a code from the closed set and a message a user can act on. */
export class CairnError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const invalidArgument = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.INVALID_ARGUMENT, message, details);
export const notFound = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.NOT_FOUND, message, details);
export const alreadyExists = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.ALREADY_EXISTS, message, details);
export const conflict = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.CONFLICT, message, details);
export const permissionDenied = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.PERMISSION_DENIED, message, details);
export const unauthenticated = (message: string, details?: ErrorDetails): CairnError =>
  new CairnError(ErrorCode.UNAUTHENTICATED, message, details);

export const isCairnError = (err: unknown): err is CairnError => err instanceof CairnError;

/** Normalises any throw into a CairnError; unknown failures become INTERNAL with the original as `cause`. */
export function toCairnError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  return new CairnError(ErrorCode.INTERNAL, 'Internal server error', {}, { cause: err });
}
