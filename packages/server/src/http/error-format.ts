import { type CairnError, ErrorCode } from '@cairn/core';

/** MLflow's error_code for each Cairn code, and the status MLflow uses for it. */
const MLFLOW_CODES: Record<ErrorCode, { code: string; status: number }> = {
  INVALID_ARGUMENT: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  NOT_FOUND: { code: 'RESOURCE_DOES_NOT_EXIST', status: 404 },
  ALREADY_EXISTS: { code: 'RESOURCE_ALREADY_EXISTS', status: 400 },
  CONFLICT: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  UNAUTHENTICATED: { code: 'UNAUTHENTICATED', status: 401 },
  PERMISSION_DENIED: { code: 'PERMISSION_DENIED', status: 403 },
  PAYLOAD_TOO_LARGE: { code: 'INVALID_PARAMETER_VALUE', status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { code: 'INVALID_PARAMETER_VALUE', status: 415 },
  ENDPOINT_NOT_FOUND: { code: 'ENDPOINT_NOT_FOUND', status: 404 },
  NOT_IMPLEMENTED: { code: 'NOT_IMPLEMENTED', status: 501 },
  UNAVAILABLE: { code: 'TEMPORARILY_UNAVAILABLE', status: 503 },
  INTERNAL: { code: 'INTERNAL_ERROR', status: 500 },
};

export type ErrorStyle = 'mlflow' | 'native';

/** The body and status of an error response, in the style of the API the request came through. */
export function formatError(err: CairnError, style: ErrorStyle): { status: number; body: unknown } {
  if (style === 'mlflow') {
    const m = MLFLOW_CODES[err.code];
    return { status: m.status, body: { error_code: m.code, message: err.message } };
  }
  const details = Object.keys(err.details).length > 0 ? err.details : undefined;
  return { status: err.status, body: { error: { code: err.code, message: err.message, details } } };
}

/** MLflow routes are the ones the mlflow client calls; everything else answers in Cairn's format. */
export function errorStyleFor(url: string): ErrorStyle {
  const path = url.replace(/^\/workspaces\/[^/]+/, '');
  return /^\/(ajax-)?api\/[23]\.0\//.test(path) ? 'mlflow' : 'native';
}

export { ErrorCode };
