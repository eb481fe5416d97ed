import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerStudio } from './studio-routes.js';

describe('studio routes', () => {
  let root: string;
  let app: FastifyInstance;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-studio-'));
    app = Fastify();
    app.get('/api/v1/thing', async () => ({ ok: true }));
  });
  afterEach(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('redirects / to the default workspace and answers the page for every client route', async () => {
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    await registerStudio(app, { root, defaultWorkspace: 'team a' });

    const home = await app.inject('/');
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/w/team%20a/');

    for (const url of [
      '/w/team%20a/',
      '/w/default/experiments/3?sort=metrics.acc:desc',
      '/w/x/runs/abc/metrics',
    ]) {
      const page = await app.inject(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('<div id="root">');
    }

    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/api/v1/thing')).json()).toEqual({ ok: true });
  });

  it('says how to build the studio when it is not built, leaving the API alone', async () => {
    await registerStudio(app, { root, defaultWorkspace: 'default' });
    const page = await app.inject('/w/default/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build');
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await app.inject('/api/v1/thing')).statusCode).toBe(200);
  });
});
