import { createHash, randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CairnError, ErrorCode } from '@cairn/core';
import {
  type Datastore,
  type DatastoreOptions,
  type DatastoreSpec,
  openDatastore,
  type S3DatastoreSpec,
  type SourceObject,
} from '@cairn/data';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestS3, testS3 } from './support/env.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect(items: AsyncIterable<SourceObject>): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<CairnError> {
  const err = await promise.then(
    () => new Error(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code, (err as Error).message).toBe(code);
  return err as CairnError;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Opened datastores of the running test, closed after it. */
const opened: Datastore[] = [];
async function open(spec: DatastoreSpec, options?: DatastoreOptions): Promise<Datastore> {
  const store = await openDatastore(spec, null, options);
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe('s3 datastore (SeaweedFS)', () => {
  let s3: TestS3;
  let admin: S3Client;
  let prefix: string;

  const spec = (overrides: Partial<S3DatastoreSpec> = {}): S3DatastoreSpec => ({
    name: `lake-${prefix.slice(-8)}`,
    type: 's3',
    bucket: s3.bucket,
    prefix,
    endpoint_url: s3.endpoint,
    region: s3.region,
    credentials: { access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey },
    ...overrides,
  });
  const put = (path: string, body: string | Buffer) =>
    admin.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${path}`, Body: body }));

  beforeAll(() => {
    s3 = testS3();
    admin = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  beforeEach(() => {
    prefix = `datastore-test/${randomUUID()}`;
  });
  afterEach(async () => {
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
    const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0)
      await admin.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys } }));
  });
  afterAll(() => admin.destroy());

  it('checks, stats, lists and reads objects under its prefix', async () => {
    await put('a.csv', 'x,y\n1,2\n');
    await put('sub/b.txt', 'hello world');
    await put('sub/deep/c.bin', Buffer.alloc(2000, 7));
    await put('sub/', Buffer.alloc(0)); // a console's "folder" marker: not a file
    await put('subway.txt', 'not under sub/');
    const store = await open(spec());
    expect(store.type).toBe('s3');
    await store.check();

    const b = await store.stat('sub/b.txt');
    expect(b).toMatchObject({ path: 'sub/b.txt', size: 11, inode: null });
    expect(b?.etag).toBe(createHash('md5').update('hello world').digest('hex'));
    expect(b?.mtimeMs).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(await store.stat('nope.txt')).toBeNull();
    expect(await store.stat('sub')).toBeNull();

    expect((await collect(store.list())).map((o) => o.path).sort()).toEqual([
      'a.csv',
      'sub/b.txt',
      'sub/deep/c.bin',
      'subway.txt',
    ]);
    const sub = await collect(store.list('/sub/'));
    expect(sub.map((o) => o.path).sort()).toEqual(['sub/b.txt', 'sub/deep/c.bin']);
    expect(sub.find((o) => o.path === 'sub/b.txt')).toEqual(b);
    expect((await collect(store.list('a.csv'))).map((o) => o.path)).toEqual(['a.csv']);
    expect(await collect(store.list('nothing-here'))).toEqual([]);

    expect((await readAll(await store.open('sub/b.txt'))).toString()).toBe('hello world');
    expect((await readAll(await store.open('sub/b.txt', { offset: 6 }))).toString()).toBe('world');
    expect((await readAll(await store.open('sub/b.txt', { offset: 2, length: 3 }))).toString()).toBe('llo');
    const missing = await failure(store.open('nope.txt'), ErrorCode.NOT_FOUND);
    expect(missing.message).toContain('nope.txt');
    await failure(store.open('../outside'), ErrorCode.INVALID_ARGUMENT);
  });

  it('pages through a listing larger than one page', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `part-${String(i).padStart(3, '0')}.txt`);
    await Promise.all(names.map((name) => put(`many/${name}`, name)));
    const store = await open(spec(), { listPageSize: 5 });
    const listed = await collect(store.list('many'));
    expect(listed.map((o) => o.path)).toEqual(names.map((n) => `many/${n}`));
    expect(listed.every((o) => o.size === 12 && o.etag !== null)).toBe(true);
  });

  it('sees a new ETag and size when an object is overwritten', async () => {
    await put('data.csv', 'a,b\n1,2\n');
    const store = await open(spec());
    const before = await store.stat('data.csv');
    await put('data.csv', 'a,b\n1,2\n3,4\n');
    const after = await store.stat('data.csv');
    expect(after?.etag).not.toBe(before?.etag);
    expect(after?.size).toBe(12);
    const [listed] = await collect(store.list('data.csv'));
    expect(listed?.etag).toBe(after?.etag);
  });

  it('says PERMISSION_DENIED, naming the datastore, for wrong credentials', async () => {
    const store = await open(
      spec({
        name: 'wrong-keys',
        credentials: { access_key_id: s3.accessKeyId, secret_access_key: 'not-the-secret' },
      }),
    );
    const err = await failure(store.check(), ErrorCode.PERMISSION_DENIED);
    expect(err.message).toMatch(/refused the credentials of datastore 'wrong-keys'/);
    expect(err.message).not.toContain('not-the-secret');
    await failure(collect(store.list()), ErrorCode.PERMISSION_DENIED);
    const unknownKey = await open(
      spec({ name: 'unknown-key', credentials: { access_key_id: 'nobody', secret_access_key: 'x' } }),
    );
    await failure(unknownKey.check(), ErrorCode.PERMISSION_DENIED);
  });

  it('refuses anonymous access to a private bucket, saying credentials are missing', async () => {
    const store = await open(spec({ name: 'anonymous', credentials: undefined }));
    const err = await failure(store.check(), ErrorCode.PERMISSION_DENIED);
    expect(err.message).toMatch(
      /anonymous \(unsigned\) requests from datastore 'anonymous'.*give the datastore credentials/,
    );
  });

  it('says NOT_FOUND for a bucket that does not exist', async () => {
    const bucket = `no-such-bucket-${randomUUID().slice(0, 8)}`;
    const store = await open(spec({ bucket }));
    const err = await failure(store.check(), ErrorCode.NOT_FOUND);
    expect(err.message).toContain(`Bucket '${bucket}' does not exist at ${s3.endpoint}`);
    await failure(collect(store.list()), ErrorCode.NOT_FOUND);
  });

  it('says UNAVAILABLE, naming the endpoint, quickly when nothing listens there', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = await open(spec({ name: 'offline', endpoint_url: endpoint }));
    const started = performance.now();
    const err = await failure(store.check(), ErrorCode.UNAVAILABLE);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err.message).toMatch(
      new RegExp(`Cannot reach the S3 endpoint ${endpoint} of datastore 'offline'`),
    );
    await failure(store.stat('x'), ErrorCode.UNAVAILABLE);
  });

  it('gives up on an endpoint that accepts connections but never answers', async () => {
    await using silent = await startHttpServer(() => undefined);
    const store = await open(spec({ endpoint_url: silent.url }), { requestTimeoutMs: 300 });
    const err = await failure(store.check(), ErrorCode.UNAVAILABLE);
    expect(err.message).toMatch(/no answer within 0\.3 s/);
  });

  it('sends no credentials at all when the datastore has none', async () => {
    const seen: IncomingMessage[] = [];
    await using server = await startHttpServer((req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-length': '3', etag: '"abc"' }).end();
    });
    const store = await open(spec({ endpoint_url: server.url, credentials: undefined }));
    expect(await store.stat('x.txt')).toMatchObject({ size: 3, etag: 'abc' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.url).toBe(`/${s3.bucket}/${prefix}/x.txt`);
  });
});

interface TestServer extends AsyncDisposable {
  url: string;
}

async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const server: Server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ServedFile {
  body: Buffer;
  etag: string;
  modified: Date;
}

/**
 * A small static file server: HEAD with size/ETag/Last-Modified, single byte ranges (206, 416), and a
 * few misbehaving routes (no ranges, no Content-Length, auth, redirects, silence).
 */
function fileServer(files: Map<string, ServedFile>, log: IncomingMessage[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    log.push(req);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/silent') return;
    if (url.pathname.startsWith('/redirect/')) {
      res
        .writeHead(302, { location: url.searchParams.get('to') ?? url.pathname.slice('/redirect'.length) })
        .end();
      return;
    }
    if (url.pathname.startsWith('/private/') && req.headers.authorization !== 'Bearer let-me-in') {
      res.writeHead(401).end();
      return;
    }
    const name = url.pathname.replace(/^\/(private|noranges|nolength)\//, '/');
    const file = files.get(name);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { etag: file.etag, 'last-modified': file.modified.toUTCString() };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range !== null && !url.pathname.startsWith('/noranges/')) {
      const start = Number(range[1]);
      const end = range[2] === '' ? file.body.length - 1 : Math.min(Number(range[2]), file.body.length - 1);
      if (start >= file.body.length) {
        res.writeHead(416, { 'content-range': `bytes */${file.body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${end}/${file.body.length}`,
        'content-length': String(end - start + 1),
      });
      res.end(req.method === 'HEAD' ? undefined : file.body.subarray(start, end + 1));
      return;
    }
    if (url.pathname.startsWith('/nolength/')) {
      res.writeHead(200, headers); // chunked: no Content-Length
      if (req.method === 'HEAD') res.end();
      else res.end(file.body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
}

describe('http datastore (local test server)', () => {
  let files: Map<string, ServedFile>;
  let log: IncomingMessage[];
  let server: TestServer;
  const modified = new Date('2024-05-01T12:00:00Z');

  beforeEach(async () => {
    files = new Map([
      ['/data/iris.csv', { body: Buffer.from('sepal,petal\n5.1,1.4\n'), etag: '"v1"', modified }],
      [
        '/data/big.bin',
        { body: Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)), etag: 'W/"b"', modified },
      ],
    ]);
    log = [];
    server = await startHttpServer(fileServer(files, log));
  });
  afterEach(async () => {
    await server[Symbol.asyncDispose]();
  });

  it('stats a file with HEAD: size, ETag and Last-Modified', async () => {
    const store = await open({ name: 'iris', type: 'http', url: `${server.url}/data/iris.csv` });
    await store.check();
    expect(await store.stat('')).toEqual({
      path: '',
      size: 20,
      mtimeMs: modified.getTime(),
      etag: '"v1"',
      inode: null,
    });
    expect(log.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    expect(await collect(store.list())).toHaveLength(1);
    files.set('/data/iris.csv', { body: Buffer.from('changed'), etag: '"v2"', modified: new Date() });
    expect(await store.stat('')).toMatchObject({ size: 7, etag: '"v2"' });
  });

  it('reads whole files and byte ranges', async () => {
    const store = await open({ name: 'web', type: 'http', url: `${server.url}/data/` });
    const body = files.get('/data/big.bin')!.body;
    expect((await readAll(await store.open('big.bin'))).equals(body)).toBe(true);
    expect((await readAll(await store.open('big.bin', { offset: 4000 }))).equals(body.subarray(4000))).toBe(
      true,
    );
    const part = await readAll(await store.open('big.bin', { offset: 100, length: 50 }));
    expect(part.equals(body.subarray(100, 150))).toBe(true);
    expect(log.at(-1)?.headers.range).toBe('bytes=100-149');
    await failure(store.open('big.bin', { offset: 9999 }), ErrorCode.INVALID_ARGUMENT);
  });

  it('cuts the range itself from a server that ignores Range', async () => {
    const store = await open({ name: 'web', type: 'http', url: `${server.url}/noranges/data/` });
    const body = files.get('/data/big.bin')!.body;
    const part = await readAll(await store.open('big.bin', { offset: 1000, length: 2500 }));
    expect(part.equals(body.subarray(1000, 3500))).toBe(true);
  });

  it('finds the size of a file served without Content-Length from a one-byte range', async () => {
    const store = await open({ name: 'web', type: 'http', url: `${server.url}/nolength/data/` });
    expect(await store.stat('iris.csv')).toMatchObject({ size: 20, etag: '"v1"' });
    expect(log.map((r) => `${r.method} ${r.headers.range ?? ''}`)).toEqual(['HEAD ', 'GET bytes=0-0']);
  });

  it('says NOT_FOUND for a missing file, and that HTTP cannot list a folder', async () => {
    const store = await open({ name: 'web', type: 'http', url: `${server.url}/data/` });
    expect(await store.stat('missing.csv')).toBeNull();
    const err = await failure(collect(store.list('missing.csv')), ErrorCode.NOT_FOUND);
    expect(err.message).toContain(`${server.url}/data/missing.csv does not exist`);
    await failure(store.open('missing.csv'), ErrorCode.NOT_FOUND);
    const folder = await failure(collect(store.list()), ErrorCode.INVALID_ARGUMENT);
    expect(folder.message).toMatch(/HTTP sources are single files/);
    await failure(collect(store.list('sub/')), ErrorCode.INVALID_ARGUMENT);
    await store.check(); // a base URL need only be reachable

    const single = await open({ name: 'gone', type: 'http', url: `${server.url}/data/gone.csv` });
    await failure(single.check(), ErrorCode.NOT_FOUND);
  });

  it('sends its headers, and says PERMISSION_DENIED when the server refuses it', async () => {
    const url = `${server.url}/private/data/iris.csv`;
    const refused = await open({ name: 'no-token', type: 'http', url });
    const err = await failure(refused.check(), ErrorCode.PERMISSION_DENIED);
    expect(err.message).toMatch(/refused datastore 'no-token' \(401 Unauthorized\)/);
    const wrong = await open({ name: 'bad', type: 'http', url, headers: { Authorization: 'Bearer nope' } });
    expect((await failure(wrong.check(), ErrorCode.PERMISSION_DENIED)).message).not.toContain('nope');
    const allowed = await open({
      name: 'token',
      type: 'http',
      url,
      headers: { Authorization: 'Bearer let-me-in' },
    });
    expect(await allowed.stat('')).toMatchObject({ size: 20 });
  });

  it('follows redirects, sending its headers to the same origin only', async () => {
    const elsewhereLog: IncomingMessage[] = [];
    await using elsewhere = await startHttpServer(fileServer(files, elsewhereLog));
    const headers = { Authorization: 'Bearer let-me-in' };
    const same = await open({
      name: 'r',
      type: 'http',
      url: `${server.url}/redirect/private/data/iris.csv`,
      headers,
    });
    expect(await same.stat('')).toMatchObject({ size: 20 });
    const away = await open({
      name: 'r2',
      type: 'http',
      url: `${server.url}/redirect/x?to=${encodeURIComponent(`${elsewhere.url}/data/iris.csv`)}`,
      headers,
    });
    expect((await readAll(await away.open(''))).toString()).toBe('sepal,petal\n5.1,1.4\n');
    expect(elsewhereLog.length).toBeGreaterThan(0);
    expect(elsewhereLog.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('says UNAVAILABLE quickly for a closed port, and gives up on a silent server', async () => {
    const offline = await open({
      name: 'offline',
      type: 'http',
      url: `http://127.0.0.1:${await closedPort()}/x.csv`,
    });
    const started = performance.now();
    const err = await failure(offline.check(), ErrorCode.UNAVAILABLE);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err.message).toMatch(
      /Cannot reach http:\/\/127\.0\.0\.1:\d+ for datastore 'offline' \(ECONNREFUSED\)/,
    );

    const silent = await open(
      { name: 'silent', type: 'http', url: `${server.url}/silent` },
      { requestTimeoutMs: 300 },
    );
    expect((await failure(silent.stat(''), ErrorCode.UNAVAILABLE)).message).toMatch(
      /no response within 0\.3 s/,
    );
  });
});
