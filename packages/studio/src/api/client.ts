import { CairnApiError, CairnClient } from '@cairn/sdk';

/**
 * The studio talks to the server it was served from, through the typed SDK (fetch-based; the few
 * Node-only helpers in it load `node:` modules lazily and are never called here). A token, when the
 * server requires sign-in, lives in localStorage and goes out as `Authorization: Bearer`.
 */
const TOKEN_KEY = 'cairn.token';

export function storedToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  if (token === null) window.localStorage.removeItem(TOKEN_KEY);
  else window.localStorage.setItem(TOKEN_KEY, token);
}

export function createClient(workspace: string): CairnClient {
  const token = storedToken();
  return new CairnClient({
    baseUrl: window.location.origin,
    workspace,
    // Browsers refuse `fetch` called with another `this` ("Illegal invocation"), as the SDK would call it.
    fetch: (input, init) => window.fetch(input, init),
    ...(token ? { token } : {}),
  });
}

/** Whether an error is the server's answer to a bad request (not worth retrying). */
export function isClientError(err: unknown): boolean {
  return err instanceof CairnApiError && err.status >= 400 && err.status < 500;
}

/** A message for an error of any kind, as the user should read it. */
export function errorMessage(err: unknown): string {
  if (err instanceof CairnApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
