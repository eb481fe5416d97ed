import { unauthenticated } from '@cairn/core';

export type Credentials =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; user: string; password: string };

/**
 * Reads the `Authorization` header. The mlflow client sends `Bearer <token>` for MLFLOW_TRACKING_TOKEN
 * and `Basic base64(user:password)` for MLFLOW_TRACKING_USERNAME/PASSWORD. Absent → null; present but
 * unreadable → UNAUTHENTICATED.
 */
export function parseAuthorization(header: string | undefined): Credentials | null {
  if (header === undefined || header.trim() === '') return null;
  const match = /^\s*(\S+)\s+(.+?)\s*$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2] ?? '';
  if (scheme === 'bearer') return { kind: 'bearer', token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthenticated('Malformed Basic credentials: expected base64 of user:password');
    return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw unauthenticated(
    `Unsupported Authorization scheme '${match?.[1] ?? header}': use 'Bearer <token>' or 'Basic <user:password>'`,
  );
}
