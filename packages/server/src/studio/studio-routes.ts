import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Paths the studio answers without credentials (the page and its scripts are not secret; the API calls
 * they make are authenticated as usual). Given to the auth hook: exact paths, or prefixes ending in '/'.
 * Every client route lives under `/w/<workspace>/`, so it never collides with an API path.
 */
export const STUDIO_PUBLIC_PATHS: readonly string[] = ['/', '/w', '/w/', '/assets/'];

export interface StudioOptions {
  /** The built studio (`packages/studio/dist`, or `dist/studio` beside the bundle); found when omitted. */
  root?: string | null;
  /** Where `/` sends the browser. */
  defaultWorkspace: string;
}

/**
 * Serves the web studio: `/` redirects to the default workspace, `/w/*` answers the single page (the
 * client routes from there), `/assets/*` the hashed scripts and styles with a one-year immutable cache.
 * The page itself is never cached, so a rebuilt studio is picked up on the next load. When the studio
 * is not built, the page says how to build it; the API routes are untouched either way.
 */
export async function registerStudio(app: FastifyInstance, options: StudioOptions): Promise<void> {
  const root = options.root === undefined ? findStudioRoot() : options.root;
  const home = `/w/${encodeURIComponent(options.defaultWorkspace)}/`;
  app.get('/', async (_req, reply) => reply.redirect(home));

  if (root === null || !existsSync(join(root, 'index.html'))) {
    const page = async (_req: unknown, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    app.get('/w', page);
    app.get('/w/*', page);
    return;
  }

  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    // File names carry a content hash: a changed file gets a new name, so it may be cached forever.
    immutable: true,
    maxAge: '365d',
    index: false,
    decorateReply: false,
  });
  const page = async (_req: unknown, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(join(root, 'index.html')));
  app.get('/w', page);
  app.get('/w/*', page);
}

/**
 * The built studio: `./studio/` beside the bundled server (scripts/build.mjs copies it to dist/studio),
 * else `packages/studio/dist` when the server runs from source. Null when neither is built.
 */
export function findStudioRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'studio'), resolve(here, '../../../studio/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn studio is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Cairn's studio is not built</h1>
<p>Run <code>npm run build</code> in the Cairn checkout (it builds the studio into
<code>packages/studio/dist</code>), then reload this page.</p>
<p>The server itself is running: its API is at <a href="/api/v1/openapi.json">/api/v1</a> and MLflow clients
can use it as their tracking URI.</p>
</body></html>
`;
