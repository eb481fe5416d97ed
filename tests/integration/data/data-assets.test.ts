import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dataManifest, serializeDataManifest } from '@cairn/data';
import { CairnApiError, type CairnClient } from '@cairn/sdk';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { testS3 } from '../support/env.js';
import { DIALECTS } from '../support/metadata-stores.js';

async function failure(promise: Promise<unknown>): Promise<CairnApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CairnApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Uploads files the way the CLI does: ask what is missing, PUT it, then the manifest. */
async function upload(client: CairnClient, files: Record<string, string>): Promise<string> {
  const entries = Object.entries(files).map(([path, content]) => ({
    path,
    size: Buffer.byteLength(content),
    sha256: sha256(content),
    mtimeMs: null,
    etag: null,
    inode: null,
  }));
  const missing = await client.blobs.missing(entries.map((e) => e.sha256));
  for (const content of Object.values(files)) {
    if (missing.has(sha256(content))) await client.blobs.put(sha256(content), Buffer.from(content));
  }
  const manifest = Buffer.concat([...serializeDataManifest(dataManifest(entries))]);
  await client.blobs.put(sha256(manifest), manifest);
  return sha256(manifest);
}

describe.each(DIALECTS)('data assets (%s)', (dialect) => {
  let server: RunningServer;
  let client: CairnClient;
  let folder: string;

  beforeAll(async () => {
    server = await startServer(dialect, { data: { refreshTickMs: 0 } });
    client = server.client;
    folder = await mkdtemp(join(tmpdir(), 'cairn-data-src-'));
  });
  afterAll(async () => {
    await server?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it('references a local folder, refuses to serve it once changed, and refresh makes a version with the diff', async () => {
    const root = join(folder, `local-${randomUUID().slice(0, 8)}`);
    await mkdir(join(root, 'train'), { recursive: true });
    await writeFile(join(root, 'train', 'a.csv'), 'x,y\n1,2\n');
    await writeFile(join(root, 'train', 'b.csv'), 'x,y\n3,4\n');
    await writeFile(join(root, 'README'), 'hello');
    const store = `lake${randomUUID().slice(0, 6)}`;
    await client.datastores.create({ yaml: `name: ${store}\ntype: local\npath: ${root}\n` });

    const v1 = await client.data.create({
      name: 'iris-local',
      path: `azureml://datastores/${store}/paths/train`,
      description: 'two csv files',
      tags: { team: 'ml' },
    });
    expect(v1).toMatchObject({
      version: '1',
      type: 'uri_folder',
      storage: 'referenced',
      fileCount: 2,
      totalBytes: 16,
    });
    expect(v1.source).toBe(`azureml://datastores/${store}/paths/train`);
    expect((await client.data.files('iris-local', '1')).map((f) => f.path)).toEqual(['a.csv', 'b.csv']);
    expect(await text(await client.data.openFile('iris-local', 'latest', 'a.csv'))).toBe('x,y\n1,2\n');
    expect((await client.data.check('iris-local', '1')).unchanged).toBe(true);

    // Cairn's own URI form names the same place.
    const same = await client.data.create({
      name: 'iris-local-2',
      path: `cairn://datastores/${store}/paths/train/`,
    });
    expect(same.manifestId).toBe(v1.manifestId);

    await writeFile(join(root, 'train', 'a.csv'), 'x,y\n1,2\n5,6\n');
    await writeFile(join(root, 'train', 'c.csv'), 'x,y\n7,8\n');
    await unlink(join(root, 'train', 'b.csv'));
    const check = await client.data.check('iris-local', '1');
    expect(check).toEqual({
      unchanged: false,
      changes: { added: ['c.csv'], changed: ['a.csv'], removed: ['b.csv'] },
    });
    const stale = await failure(client.data.openFile('iris-local', '1', 'a.csv'));
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toContain('cairn data refresh iris-local');

    const refreshed = await client.data.refresh('iris-local');
    expect(refreshed.diff).toMatchObject({ added: 1, changed: 1, removed: 1 });
    expect(refreshed.version).toMatchObject({ version: '2', fileCount: 2 });
    expect(await client.data.diff('iris-local', '1', '2')).toEqual({
      added: ['c.csv'],
      changed: ['a.csv'],
      removed: ['b.csv'],
    });
    const again = await client.data.refresh('iris-local');
    expect(again.version).toBeNull();
    expect((await client.data.get('iris-local')).latestVersion).toBe('2');

    const events = await client.data.events();
    expect(events.filter((e) => e.name === 'iris-local').map((e) => [e.version, e.cause])).toEqual([
      ['1', 'register'],
      ['2', 'refresh'],
    ]);
  });

  it('watches a source on a schedule: the refresher registers new versions when files change', async () => {
    const root = join(folder, `watch-${randomUUID().slice(0, 8)}`);
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'part-0.jsonl'), '{"a":1}\n');
    const store = `w${randomUUID().slice(0, 6)}`;
    await client.datastores.create({ spec: { name: store, type: 'local', path: root } });
    await client.data.create({
      name: 'events',
      path: `azureml://datastores/${store}/paths/`,
      refreshIntervalSeconds: 60,
    });
    expect((await client.data.get('events')).refresh).toMatchObject({ intervalSeconds: 60 });

    const refresher = server.server.services.data;
    await writeFile(join(root, 'part-1.jsonl'), '{"a":2}\n');
    // Not due yet: nothing happens.
    expect(await refresher.dueRefreshes(Date.now())).toEqual([]);
    const due = await refresher.dueRefreshes(Date.now() + 61_000);
    expect(due.map((d) => d.name)).toContain('events');
    const { Refresher } = await import('@cairn/data');
    await new Refresher({ data: refresher, tickMs: 0, actor: 'test' }).tick(Date.now() + 61_000);
    const versions = await client.data.versions('events');
    expect(versions.map((v) => v.version)).toEqual(['2', '1']);
    expect(versions[0]?.diff).toMatchObject({ added: 1, changed: 0, removed: 0 });
    expect(versions[0]?.createdBy).toBe('test');
  });

  it('registers uploaded files, deduplicated and checked; versions are immutable', async () => {
    const manifestId = await upload(client, { 'data.csv': 'a,b\n1,2\n', 'notes/readme.txt': 'hi' });
    // The same content again uploads nothing.
    expect((await client.blobs.missing([sha256('a,b\n1,2\n'), sha256('hi')])).size).toBe(0);
    const v = await client.data.create({
      name: 'uploaded',
      version: '2024.1',
      manifestId,
      uploadedFrom: './data',
    });
    expect(v).toMatchObject({ storage: 'uploaded', fileCount: 2, source: 'upload:./data' });
    expect(await text(await client.data.openFile('uploaded', '2024.1', 'notes/readme.txt'))).toBe('hi');

    const exists = await failure(client.data.create({ name: 'uploaded', version: '2024.1', manifestId }));
    expect(exists.code).toBe('ALREADY_EXISTS');
    // Auto-numbered versions skip past what exists.
    expect((await client.data.create({ name: 'uploaded', manifestId })).version).toBe('1');

    // A manifest naming content that was never uploaded is refused and registers nothing.
    const entries = [
      { path: 'x.bin', size: 3, sha256: sha256('zzz'), mtimeMs: null, etag: null, inode: null },
    ];
    const bogus = Buffer.concat([...serializeDataManifest(dataManifest(entries))]);
    await client.blobs.put(sha256(bogus), bogus);
    const refused = await failure(client.data.create({ name: 'never', manifestId: sha256(bogus) }));
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.message).toContain("'x.bin'");
    expect((await failure(client.data.get('never'))).code).toBe('NOT_FOUND');

    // Bytes that do not match the hash in the URL are refused.
    const wrong = await failure(client.blobs.put(sha256('one'), Buffer.from('two')));
    expect(wrong.code).toBe('INVALID_ARGUMENT');
  });

  it('uploads many contents in one batch request, refusing an entry that does not match its name', async () => {
    const tarOf = async (entries: Array<[string, string]>) => {
      const pack = tar.pack();
      for (const [name, body] of entries) pack.entry({ name }, body);
      pack.finalize();
      const chunks: Buffer[] = [];
      for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks);
    };
    const a = `batch a ${randomUUID()}`;
    const b = `batch b ${randomUUID()}`;
    const stored = await client.blobs.putBatch(
      await tarOf([
        [sha256(a), a],
        [sha256(b), b],
      ]),
    );
    expect(stored.map((x) => x.sha256)).toEqual([sha256(a), sha256(b)]);
    expect((await client.blobs.missing([sha256(a), sha256(b)])).size).toBe(0);

    const c = `batch c ${randomUUID()}`;
    const wrong = await failure(
      client.blobs.putBatch(
        await tarOf([
          [sha256(c), c],
          [sha256('x'), 'not x'],
        ]),
      ),
    );
    expect(wrong.code).toBe('INVALID_ARGUMENT');
    expect(wrong.message).toContain(sha256('x'));
    // The entry before the bad one is kept.
    expect((await client.blobs.missing([sha256(c)])).size).toBe(0);
    const badName = await failure(client.blobs.putBatch(await tarOf([['not-a-hash', 'x']])));
    expect(badName.message).toContain("'not-a-hash'");
  });

  it('archives versions: hidden from @latest and lists, still readable by number', async () => {
    const manifestId = await upload(client, { 'f.txt': 'v' });
    await client.data.create({ name: 'arch', manifestId });
    await client.data.create({ name: 'arch', manifestId });
    await client.data.archive('arch', { version: '2' });
    expect((await client.data.version('arch', 'latest')).version).toBe('1');
    expect((await client.data.versions('arch')).map((v) => v.version)).toEqual(['1']);
    expect((await client.data.version('arch', '2')).archived).toBe(true);
    await client.data.restore('arch', { version: '2' });
    expect((await client.data.version('arch', 'latest')).version).toBe('2');
  });

  it('references an S3 prefix; an overwritten object is noticed by its ETag', async () => {
    const s3 = testS3();
    const prefix = `data-test/${randomUUID()}`;
    const admin = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const put = (key: string, body: string) =>
      admin.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}`, Body: body }));
    await put('images/1.txt', 'one');
    await put('images/2.txt', 'two');
    const store = `s3${randomUUID().slice(0, 6)}`;
    const created = await client.datastores.create({
      yaml: [
        `name: ${store}`,
        'type: s3',
        `bucket: ${s3.bucket}`,
        `prefix: ${prefix}`,
        `endpoint_url: ${s3.endpoint}`,
        `region: ${s3.region}`,
        'credentials:',
        `  access_key_id: ${s3.accessKeyId}`,
        `  secret_access_key: ${s3.secretAccessKey}`,
      ].join('\n'),
    });
    // Secrets are never returned, nor stored in clear.
    expect(JSON.stringify(created)).not.toContain(s3.secretAccessKey);
    expect(JSON.stringify(await client.datastores.get(store))).toContain('***');
    const row = await server.server.services.store.db
      .selectFrom('datastores')
      .select(['spec', 'secrets'])
      .where('name', '=', store)
      .executeTakeFirstOrThrow();
    expect(`${row.spec}${row.secrets}`).not.toContain(s3.secretAccessKey);

    const v1 = await client.data.create({
      name: 's3-images',
      path: `azureml://datastores/${store}/paths/images`,
    });
    expect(v1).toMatchObject({ fileCount: 2, totalBytes: 6 });
    expect(await text(await client.data.openFile('s3-images', '1', '2.txt'))).toBe('two');
    await put('images/2.txt', 'TWO!');
    expect((await client.data.check('s3-images', '1')).changes.changed).toEqual(['2.txt']);
    expect((await failure(client.data.openFile('s3-images', '1', '2.txt'))).code).toBe('CONFLICT');
    const refreshed = await client.data.refresh('s3-images');
    expect(refreshed.diff).toMatchObject({ added: 0, changed: 1, removed: 0 });
    expect(await text(await client.data.openFile('s3-images', '2', '2.txt'))).toBe('TWO!');
    admin.destroy();
  });

  describe('HTTP sources', () => {
    let http: Server;
    let base: string;
    let body = 'a,b\n1,2\n';
    beforeAll(async () => {
      http = createServer((req, res) => {
        if (req.url !== '/iris.csv') {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, {
          'content-length': Buffer.byteLength(body),
          etag: `"${sha256(body).slice(0, 16)}"`,
          'content-type': 'text/csv',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

    it('registers a URL as a uri_file and notices when the bytes behind it change', async () => {
      const v = await client.data.create({ name: 'iris-url', type: 'uri_file', path: `${base}/iris.csv` });
      expect(v).toMatchObject({ fileCount: 1, totalBytes: 8, source: `${base}/iris.csv` });
      expect((await client.data.files('iris-url', '1')).map((f) => f.path)).toEqual(['iris.csv']);
      body = 'a,b\n1,2\n3,4\n';
      expect((await failure(client.data.openFile('iris-url', '1', 'iris.csv'))).code).toBe('CONFLICT');
      const missing = await failure(
        client.data.create({ name: 'nope', type: 'uri_file', path: `${base}/nope.csv` }),
      );
      expect(missing.code).toBe('NOT_FOUND');
    });
  });

  it('says what is wrong with bad sources, and registers nothing', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const unreachable = await failure(
      client.datastores.create({
        spec: { name: 'down', type: 's3', bucket: 'b', endpoint_url: `http://127.0.0.1:${closed}` },
      }),
    );
    expect(unreachable.code).toBe('UNAVAILABLE');
    expect(unreachable.message).toContain(`127.0.0.1:${closed}`);
    const s3 = testS3();
    const denied = await failure(
      client.datastores.create({
        spec: {
          name: 'denied',
          type: 's3',
          bucket: s3.bucket,
          endpoint_url: s3.endpoint,
          credentials: { access_key_id: s3.accessKeyId, secret_access_key: 'wrong-secret' },
        },
      }),
    );
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect((await client.datastores.list()).map((d) => d.name)).not.toContain('denied');

    const noStore = await failure(
      client.data.create({ name: 'x', path: 'azureml://datastores/ghost/paths/a' }),
    );
    expect(noStore.code).toBe('NOT_FOUND');
    expect(noStore.message).toContain("'ghost'");
    const bareS3 = await failure(client.data.create({ name: 'x', path: 's3://bucket/key' }));
    expect(bareS3.message).toContain('register a datastore');
    const local = await failure(client.data.create({ name: 'x', path: '/etc' }));
    expect(local.message).toContain('upload it');
    const both = await failure(
      client.data.create({ name: 'x', path: 'https://x/y', manifestId: 'a'.repeat(64) }),
    );
    expect(both.details.field).toBe('manifestId');
    const badName = await failure(client.data.create({ name: '-bad', path: 'https://x/y' }));
    expect(badName.details.field).toBe('name');
    expect((await client.data.list()).map((a) => a.name)).not.toContain('x');
  });

  it('registers sample datasets and previews and profiles tabular data with DuckDB', async () => {
    const samples = await client.data.samples();
    expect(samples.map((x) => x.name)).toEqual(expect.arrayContaining(['iris', 'digits']));
    const iris = await client.data.registerSample('iris');
    expect(iris).toMatchObject({ name: 'iris', type: 'mltable', storage: 'uploaded' });
    const preview = await client.data.preview('iris', 'latest', { rows: 5 });
    expect(preview.rows).toHaveLength(5);
    expect(preview.columns.length).toBeGreaterThanOrEqual(5);
    const profile = (await client.data.profile('iris', '1')) as {
      rowCount: number;
      columns: { name: string }[];
    };
    expect(profile.rowCount).toBe(150);
    // Cached per version: the same answer again.
    expect(await client.data.profile('iris', '1')).toEqual(profile);

    const digits = await client.data.registerSample('digits', { name: 'digits-small' });
    expect(digits.fileCount).toBeGreaterThanOrEqual(100);
    const notTabular = await failure(client.data.preview('digits-small', '1'));
    expect(notTabular.code).toBe('INVALID_ARGUMENT');
    expect(notTabular.message).toMatch(/CSV/);
    expect((await failure(client.data.registerSample('imagenet'))).code).toBe('NOT_FOUND');
  });

  it('refuses an mltable whose MLTable file is wrong, naming the problem', async () => {
    const manifestId = await upload(client, {
      MLTable: 'paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimitd:\n      delimiter: ","\n',
      'a.csv': 'a\n1\n',
    });
    const bad = await failure(client.data.create({ name: 'bad-mltable', type: 'mltable', manifestId }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toContain('read_delimitd');
    expect((await failure(client.data.get('bad-mltable'))).code).toBe('NOT_FOUND');
  });
});
