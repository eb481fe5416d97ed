import { CairnApiError, CairnClient } from '@cairn/sdk';
import { storeToken } from './client.js';

/** How long a studio sign-in lasts before the server asks again. */
const SESSION_DAYS = 30;

/**
 * Signs in with a user name and password: creates an API token for this browser (POST /api/v1/tokens
 * with Basic credentials, the password never stored) and keeps its secret for the next requests.
 */
export async function signIn(user: string, password: string): Promise<void> {
  const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
  const client = new CairnClient({
    baseUrl: window.location.origin,
    fetch: (input, init) => window.fetch(input, init),
    headers: { authorization: `Basic ${basic}` },
  });
  const { secret } = await client.tokens.create({
    name: `studio (${navigator.userAgent.slice(0, 60)})`,
    expiresAt: Date.now() + SESSION_DAYS * 86_400_000,
    message: 'signed in to the studio',
  });
  storeToken(secret);
}

export function signOut(): void {
  storeToken(null);
}

export const needsSignIn = (err: unknown): boolean => err instanceof CairnApiError && err.status === 401;
