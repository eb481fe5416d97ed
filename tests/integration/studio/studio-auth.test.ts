import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { launchChromium } from './browser.js';

// A server that requires sign-in: the studio's page and assets are public, the API is not, and the
// studio signs in with a password by creating a token.
describe('studio on a server that requires authentication', () => {
  let server: RunningServer;
  let browser: Browser;
  const password = `pw-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    await build({
      configFile: join(import.meta.dirname, '../../../packages/studio/vite.config.ts'),
      logLevel: 'warn',
    });
    [server, browser] = await Promise.all([
      startServer('sqlite', { authRequired: true, bootstrapAdmin: `ada:${password}` }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('serves the page and assets without credentials, and nothing else', async () => {
    const home = await fetch(server.baseUrl, { redirect: 'manual' });
    expect(home.status).toBe(302);
    const page = await fetch(`${server.baseUrl}/w/default/runs/abc`);
    expect(page.status).toBe(200);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${server.baseUrl}${script}`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/api/v1/workspaces/default/experiments`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/api/2.0/mlflow/experiments/search`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/wx`)).status).toBe(401);
  });

  it('asks for a password, signs in with a token, and signs out', async () => {
    const page = await browser.newPage();
    await page.goto(server.baseUrl);
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await page.getByLabel('User').fill('ada');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid user name or password').waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Experiments' }).waitFor();
    await page.locator('.topbar').getByText('ada').waitFor();
    expect(await page.evaluate("localStorage.getItem('cairn.token')")).toMatch(/\S{20,}/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await page.close();
  });
});
