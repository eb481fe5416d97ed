import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the studio's tests: Debian's build (scripts/services/chromium.sh installs it),
 * driven by playwright-core, with the flags this environment needs. Env, read once here:
 *   CAIRN_TEST_CHROMIUM  the browser binary (default /usr/bin/chromium)
 *   CAIRN_SCREENSHOTS=1  save screenshots of the main pages into docs/screenshots/ (off in CI)
 */
export const STUDIO_TEST_ENV = {
  chromium: process.env.CAIRN_TEST_CHROMIUM || '/usr/bin/chromium',
  screenshots: process.env.CAIRN_SCREENSHOTS === '1',
};

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(STUDIO_TEST_ENV.chromium)) {
    throw new Error(
      `No Chromium at ${STUDIO_TEST_ENV.chromium}: run scripts/services/chromium.sh (apt-get install chromium) or set CAIRN_TEST_CHROMIUM`,
    );
  }
  // Playwright gives each launch a fresh temporary profile (--user-data-dir) and adds --headless.
  return chromium.launch({ executablePath: STUDIO_TEST_ENV.chromium, headless: true, args: FLAGS });
}

const SCREENSHOTS = join(import.meta.dirname, '../../../docs/screenshots');

/** Saves a screenshot of the page as docs/screenshots/<name>.png when CAIRN_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!STUDIO_TEST_ENV.screenshots) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Reads a value from the page until it passes `ok` (the UI updates after a server answer, so there is
 * no single event to await from outside); fails naming `what` and the last value after `timeoutMs`.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
