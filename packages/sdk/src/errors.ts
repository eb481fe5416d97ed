import type { ErrorCode } from './wire.js';

/** An error answered by the server: its code from the closed set, message, details and HTTP status. */
export class CairnApiError extends Error {
  readonly code: ErrorCode;
  readonly details: { field?: string; position?: number; [k: string]: unknown };
  readonly status: number;

  constructor(code: ErrorCode, message: string, status: number, details: CairnApiError['details'] = {}) {
    super(message);
    this.name = 'CairnApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** Builds the error from a non-2xx response, whatever its body (a proxy may answer in HTML). */
  static async fromResponse(res: Response): Promise<CairnApiError> {
    const text = await res.text().catch(() => '');
    try {
      const body = JSON.parse(text) as { error?: { code?: ErrorCode; message?: string; details?: unknown } };
      if (body.error?.code && typeof body.error.message === 'string') {
        return new CairnApiError(
          body.error.code,
          body.error.message,
          res.status,
          (body.error.details ?? {}) as CairnApiError['details'],
        );
      }
    } catch {
      // not JSON: fall through
    }
    const code: ErrorCode =
      res.status === 404 ? 'ENDPOINT_NOT_FOUND' : res.status === 401 ? 'UNAUTHENTICATED' : 'UNAVAILABLE';
    const snippet = text.trim().slice(0, 200);
    return new CairnApiError(
      code,
      `HTTP ${res.status} ${res.statusText} from ${res.url}${snippet ? `: ${snippet}` : ''} (is this a Cairn server?)`,
      res.status,
    );
  }
}
