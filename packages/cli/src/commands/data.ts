import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseDuration } from '@cairn/core';
import { type DataSpec, parseDataYaml, uploadLocalData } from '@cairn/data';
import type { CairnClient, DataAsset, Datastore, DataVersion, LineageLink } from '@cairn/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { clientFor, collect, keyValues, positiveInt } from '../client-options.js';
import { formatBytes, formatTime, printFields, printJson, printTable } from '../output.js';
import { cliHashCache, FileSetBar, remoteSink } from '../uploads.js';
import { readSpecFile, specErrorInWords } from './job.js';

/** `name`, `name:version`, `name@latest`, with or without Azure ML's `azureml:` prefix. */
export function parseDataRef(text: string): { name: string; version: string | null } {
  const ref = text.replace(/^azureml:/, '');
  const at = ref.indexOf('@');
  if (at > 0) {
    const label = ref.slice(at + 1);
    if (label !== 'latest')
      throw new InvalidArgumentError(`unknown label '@${label}': the only label is @latest`);
    return { name: ref.slice(0, at), version: 'latest' };
  }
  const colon = ref.indexOf(':');
  if (colon > 0) return { name: ref.slice(0, colon), version: ref.slice(colon + 1) };
  return { name: ref, version: null };
}

const isRemotePath = (path: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('azureml:');

const duration = (value: string): number => {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError(`'${value}' is not a duration (1h, 30m, 600)`);
  return seconds;
};

interface CreateOptions {
  file?: string;
  name?: string;
  version?: string;
  type?: string;
  path?: string;
  description?: string;
  tag?: string[];
  refreshEvery?: number;
  message?: string;
}

export function registerDataCommands(program: Command): void {
  const data = program
    .command('data')
    .description('Data assets: versioned, content-addressed files (uploaded or referenced in datastores)');

  data
    .command('create')
    .description(
      'Register a data version from its YAML (Azure ML data schema) or flags; a local path is hashed on all cores and only new content uploaded',
    )
    .option('-f, --file <path>', 'the data asset YAML (name, version, type, path, description, tags)')
    .option('-n, --name <name>', 'asset name')
    .option('-v, --version <version>', 'version (default: the next number)')
    .option('-t, --type <type>', 'uri_file, uri_folder (default) or mltable')
    .option('-p, --path <path>', 'a local file or folder, a datastore URI (azureml://datastores/…) or a URL')
    .option('-d, --description <text>', 'description')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .option(
      '--refresh-every <duration>',
      'watch the datastore source and make new versions when it changes',
      duration,
    )
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (opts: CreateOptions, command: Command) => {
      const { client, options } = clientFor(command);
      const spec = await specFrom(opts);
      const base = opts.file ? dirname(resolve(opts.file)) : process.cwd();
      const common = {
        name: spec.name,
        type: spec.type,
        ...(spec.version !== undefined ? { version: spec.version } : {}),
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
        ...(opts.message ? { message: opts.message } : {}),
      };
      let version: DataVersion;
      if (isRemotePath(spec.path)) {
        version = await client.data.create({
          ...common,
          path: spec.path,
          ...(spec.refresh_interval !== undefined ? { refreshIntervalSeconds: spec.refresh_interval } : {}),
        });
      } else {
        if (spec.refresh_interval !== undefined) {
          throw new Error(
            'refresh_interval needs a datastore path: register a local datastore for the folder (cairn datastore create) and use azureml://datastores/<name>/paths/…',
          );
        }
        const uploaded = await uploadPath(client, resolve(base, spec.path), spec.type);
        version = await client.data.create({
          ...common,
          manifestId: uploaded.manifestId,
          uploadedFrom: spec.path,
        });
        if (options.output !== 'json') {
          process.stderr.write(
            `Hashed ${uploaded.hashed} file(s) (${uploaded.fromCache} unchanged, from the cache); uploaded ${uploaded.uploaded} new (${formatBytes(uploaded.bytesUploaded)})\n`,
          );
        }
      }
      if (options.output === 'json') return printJson(version);
      process.stdout.write(
        `Created data ${version.name}:${version.version} (${version.fileCount} files, ${formatBytes(version.totalBytes)}, ${version.storage})\n`,
      );
    });

  data
    .command('list')
    .description('List data assets')
    .option('--all', 'include archived ones')
    .action(async (opts: { all?: boolean }, command: Command) => {
      const { client, options } = clientFor(command);
      const assets = await client.data.list({ includeArchived: opts.all ?? false });
      if (options.output === 'json') return printJson(assets);
      printTable(
        [
          { header: 'NAME', value: (a: DataAsset) => a.name },
          { header: 'LATEST', value: (a) => a.latestVersion ?? '-', align: 'right' },
          { header: 'VERSIONS', value: (a) => String(a.versionCount), align: 'right' },
          { header: 'REFRESH', value: (a) => (a.refresh ? `every ${a.refresh.intervalSeconds}s` : '-') },
          { header: 'UPDATED', value: (a) => formatTime(a.updatedAt) },
          { header: 'DESCRIPTION', value: (a) => a.description, maxWidth: 40 },
        ],
        assets,
        'No data assets',
      );
    });

  data
    .command('show')
    .description('Show an asset and its versions (NAME), or one version (NAME:VERSION, NAME@latest)')
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@latest')
    .action(async (ref: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const { name, version } = parseDataRef(ref);
      if (version === null) {
        const [asset, versions] = await Promise.all([client.data.get(name), client.data.versions(name)]);
        if (options.output === 'json') return printJson({ asset, versions });
        printFields([
          ['Name', asset.name],
          ['Description', asset.description || '-'],
          ['Latest', asset.latestVersion ?? '-'],
          [
            'Refresh',
            asset.refresh ? `every ${asset.refresh.intervalSeconds}s from ${asset.refresh.source}` : '-',
          ],
          ['Tags', tagsText(asset.tags)],
        ]);
        process.stdout.write('\n');
        printTable(versionColumns, versions, 'No versions');
        return;
      }
      const v = await client.data.version(name, version);
      if (options.output === 'json') return printJson(v);
      printFields([
        ['Name', `${v.name}:${v.version}`],
        ['Type', v.type],
        ['Storage', v.storage],
        ['Source', v.source],
        ['Files', `${v.fileCount} (${formatBytes(v.totalBytes)})`],
        ['Manifest', v.manifestId],
        ['Change', v.diff ? diffText(v.diff) : '-'],
        ['Description', v.description || '-'],
        ['Tags', tagsText(v.tags)],
        ['Created', `${formatTime(v.createdAt)} by ${v.createdBy}`],
        ['Archived', v.archived ? 'yes' : 'no'],
      ]);
    });

  data
    .command('download')
    .description("Download a version's files (checked against their sha256) into a folder")
    .argument('<ref>', 'NAME[:VERSION] (default: latest)')
    .option('--to <dir>', 'destination folder (default: ./NAME-VERSION)')
    .action(async (ref: string, opts: { to?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const { name, version } = parseDataRef(ref);
      const v = await client.data.version(name, version ?? 'latest');
      const dest = resolve(opts.to ?? `${v.name}-${v.version}`);
      const files = await client.data.files(v.name, v.version);
      const bytes = await downloadFiles(client, v, files, dest);
      if (options.output === 'json') return printJson({ dest, files: files.length, bytes });
      process.stdout.write(
        `Downloaded ${v.name}:${v.version}: ${files.length} files (${formatBytes(bytes)}) to ${dest}\n`,
      );
    });

  for (const archived of [true, false]) {
    data
      .command(archived ? 'archive' : 'restore')
      .description(
        archived
          ? 'Archive a version (NAME:VERSION) or a whole asset (NAME): hidden from lists and @latest'
          : 'Restore an archived version or asset',
      )
      .argument('<ref>', 'NAME or NAME:VERSION')
      .action(async (ref: string, _opts, command: Command) => {
        const { client } = clientFor(command);
        const { name, version } = parseDataRef(ref);
        const target = version === null ? {} : { version };
        if (archived) await client.data.archive(name, target);
        else await client.data.restore(name, target);
        process.stdout.write(`${archived ? 'Archived' : 'Restored'} ${ref}\n`);
      });
  }

  data
    .command('refresh')
    .description(
      'Look at the source now and register a new version if files changed; or set how often it is watched',
    )
    .argument('<name>', 'asset name')
    .option('--every <duration>', 'watch the source this often from now on (1h, 30m, …)', duration)
    .option('--stop', 'stop watching the source')
    .action(async (name: string, opts: { every?: number; stop?: boolean }, command: Command) => {
      const { client, options } = clientFor(command);
      if (opts.every !== undefined || opts.stop) {
        const asset = await client.data.setRefresh(name, opts.stop ? null : (opts.every ?? null));
        if (options.output === 'json') return printJson(asset);
        process.stdout.write(
          asset.refresh
            ? `${name}: watched every ${asset.refresh.intervalSeconds}s\n`
            : `${name}: no longer watched\n`,
        );
        return;
      }
      const result = await client.data.refresh(name);
      if (options.output === 'json') return printJson(result);
      if (result.version === null) process.stdout.write(`${name}: unchanged since its latest version\n`);
      else process.stdout.write(`Created ${name}:${result.version.version}: ${diffText(result.diff)}\n`);
    });

  data
    .command('diff')
    .description('Files added, changed and removed between two versions')
    .argument('<name>', 'asset name')
    .argument('<from>', 'version')
    .argument('<to>', 'version')
    .action(async (name: string, from: string, to: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const diff = await client.data.diff(name, from, to);
      if (options.output === 'json') return printJson(diff);
      for (const [mark, paths] of [
        ['+', diff.added],
        ['~', diff.changed],
        ['-', diff.removed],
      ] as const) {
        for (const p of paths) process.stdout.write(`${mark} ${p}\n`);
      }
      process.stdout.write(
        `${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed\n`,
      );
    });

  data
    .command('lineage')
    .description('The runs that consumed and produced a version (NAME:VERSION), or a run’s data (--run)')
    .argument('[ref]', 'NAME:VERSION')
    .option('--run <id>', 'a run id: its input and output versions')
    .action(async (ref: string | undefined, opts: { run?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const columns = [
        { header: 'RUN', value: (l: LineageLink) => l.runId },
        { header: 'JOB', value: (l: LineageLink) => l.jobName ?? '-' },
        { header: 'PORT', value: (l: LineageLink) => l.port },
        { header: 'DATA', value: (l: LineageLink) => `${l.name}:${l.version}` },
        { header: 'AT', value: (l: LineageLink) => formatTime(l.at) },
      ];
      if (opts.run) {
        const links = await client.data.runData(opts.run);
        if (options.output === 'json') return printJson(links);
        process.stdout.write('Inputs\n');
        printTable(columns, links.inputs, '(none)');
        process.stdout.write('\nOutputs\n');
        printTable(columns, links.outputs, '(none)');
        return;
      }
      if (!ref) throw new InvalidArgumentError('give NAME:VERSION, or --run RUN_ID');
      const { name, version } = parseDataRef(ref);
      const lineage = await client.data.lineage(name, version ?? 'latest');
      if (options.output === 'json') return printJson(lineage);
      process.stdout.write('Produced by\n');
      printTable(columns, lineage.producedBy, '(none: registered directly)');
      process.stdout.write('\nConsumed by\n');
      printTable(columns, lineage.consumedBy, '(none)');
    });

  data
    .command('preview')
    .description('First rows of tabular data (CSV/TSV, Parquet, JSON lines, MLTable)')
    .argument('<ref>', 'NAME[:VERSION]')
    .option('--rows <n>', 'rows to show', positiveInt('--rows'), 20)
    .option('--path <path>', 'one file or folder of the version')
    .action(async (ref: string, opts: { rows?: number; path?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const { name, version } = parseDataRef(ref);
      const preview = await client.data.preview(name, version ?? 'latest', {
        rows: opts.rows ?? 20,
        ...(opts.path ? { path: opts.path } : {}),
      });
      if (options.output === 'json') return printJson(preview);
      const rows = preview.rows as unknown as unknown[][];
      printTable(
        preview.columns.map((c, i) => ({
          header: `${c.name} (${c.type})`,
          value: (row: unknown[]) => cell(row[i]),
          maxWidth: 30,
        })),
        rows,
        '(no rows)',
      );
    });

  data
    .command('profile')
    .description('Per-column statistics of tabular data: count, nulls, distinct, min/max/mean, histogram')
    .argument('<ref>', 'NAME[:VERSION]')
    .option('--path <path>', 'one file or folder of the version')
    .action(async (ref: string, opts: { path?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const { name, version } = parseDataRef(ref);
      const profile = (await client.data.profile(
        name,
        version ?? 'latest',
        opts.path ? { path: opts.path } : {},
      )) as {
        rowCount: number;
        columns: ProfiledColumn[];
      };
      if (options.output === 'json') return printJson(profile);
      process.stdout.write(`${profile.rowCount} rows\n`);
      printTable(
        [
          { header: 'COLUMN', value: (c: ProfiledColumn) => c.name, maxWidth: 30 },
          { header: 'TYPE', value: (c) => c.type },
          { header: 'COUNT', value: (c) => cell(c.count), align: 'right' },
          { header: 'NULLS', value: (c) => cell(c.nulls), align: 'right' },
          { header: 'DISTINCT', value: (c) => cell(c.distinct), align: 'right' },
          { header: 'MIN', value: (c) => cell(c.min), maxWidth: 20 },
          { header: 'MAX', value: (c) => cell(c.max), maxWidth: 20 },
          { header: 'MEAN', value: (c) => cell(c.mean), align: 'right' },
        ],
        profile.columns,
      );
    });

  const samples = data
    .command('samples')
    .description('Built-in sample datasets (classic tables, a small image set)');
  samples
    .command('list')
    .description('List the sample datasets')
    .action(async (_opts, command: Command) => {
      const { client, options } = clientFor(command);
      const list = await client.data.samples();
      if (options.output === 'json') return printJson(list);
      printTable(
        [
          { header: 'NAME', value: (s: (typeof list)[number]) => s.name },
          { header: 'TYPE', value: (s) => s.type },
          { header: 'DESCRIPTION', value: (s) => s.description, maxWidth: 70 },
        ],
        list,
      );
    });
  samples
    .command('register')
    .description('Register a sample dataset as a data asset')
    .argument('<sample>', 'sample name (cairn data samples list)')
    .option('-n, --name <name>', 'asset name (default: the sample’s)')
    .action(async (sample: string, opts: { name?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const v = await client.data.registerSample(sample, opts.name ? { name: opts.name } : {});
      if (options.output === 'json') return printJson(v);
      process.stdout.write(
        `Created data ${v.name}:${v.version} (${v.fileCount} files, ${formatBytes(v.totalBytes)})\n`,
      );
    });
}

export function registerDatastoreCommands(program: Command): void {
  const datastore = program
    .command('datastore')
    .description('Datastores: where data lives (local folder, S3-compatible bucket/prefix, HTTP)');

  datastore
    .command('create')
    .description('Register a datastore from its YAML; it is checked (reachable, credentials accepted) first')
    .requiredOption('-f, --file <path>', 'the datastore YAML')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (opts: { file: string; message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const yaml = await readSpecFile(opts.file);
      const d = await client.datastores
        .create({ yaml, ...(opts.message ? { message: opts.message } : {}) })
        .catch(specErrorInWords);
      if (options.output === 'json') return printJson(d);
      process.stdout.write(
        `Created datastore ${d.name} (${d.type}); reference it as azureml://datastores/${d.name}/paths/<path>\n`,
      );
    });

  datastore
    .command('list')
    .description('List datastores')
    .action(async (_opts, command: Command) => {
      const { client, options } = clientFor(command);
      const list = await client.datastores.list();
      if (options.output === 'json') return printJson(list);
      printTable(
        [
          { header: 'NAME', value: (d: Datastore) => d.name },
          { header: 'TYPE', value: (d) => d.type },
          { header: 'WHERE', value: (d) => where(d), maxWidth: 60 },
          { header: 'CREATED', value: (d) => formatTime(d.createdAt) },
        ],
        list,
        'No datastores',
      );
    });

  datastore
    .command('show')
    .description('Show a datastore (secrets shown as ***)')
    .argument('<name>')
    .action(async (name: string, _opts, command: Command) => {
      const { client } = clientFor(command);
      printJson(await client.datastores.get(name));
    });

  datastore
    .command('delete')
    .description('Delete a datastore that no data version references')
    .argument('<name>')
    .action(async (name: string, _opts, command: Command) => {
      const { client } = clientFor(command);
      await client.datastores.delete(name);
      process.stdout.write(`Deleted datastore ${name}\n`);
    });
}

interface ProfiledColumn {
  name: string;
  type: string;
  count?: unknown;
  nulls?: unknown;
  distinct?: unknown;
  min?: unknown;
  max?: unknown;
  mean?: unknown;
}

const versionColumns = [
  { header: 'VERSION', value: (v: DataVersion) => v.version, align: 'right' as const },
  { header: 'TYPE', value: (v: DataVersion) => v.type },
  { header: 'STORAGE', value: (v: DataVersion) => v.storage },
  { header: 'FILES', value: (v: DataVersion) => String(v.fileCount), align: 'right' as const },
  { header: 'SIZE', value: (v: DataVersion) => formatBytes(v.totalBytes), align: 'right' as const },
  { header: 'CHANGE', value: (v: DataVersion) => (v.diff ? diffText(v.diff) : '-') },
  { header: 'CREATED', value: (v: DataVersion) => formatTime(v.createdAt) },
];

const diffText = (d: { added: number; changed: number; removed: number }) =>
  `+${d.added} ~${d.changed} -${d.removed}`;
const tagsText = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '-';
const cell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
const where = (d: Datastore): string => {
  const s = d.spec as {
    path?: string;
    bucket?: string;
    prefix?: string;
    url?: string;
    endpoint_url?: string;
  };
  if (d.type === 'local') return s.path ?? '';
  if (d.type === 's3')
    return `s3://${s.bucket}/${s.prefix ?? ''}${s.endpoint_url ? ` at ${s.endpoint_url}` : ''}`;
  return s.url ?? '';
};

async function specFrom(opts: CreateOptions): Promise<DataSpec> {
  if (opts.file) {
    const yaml = await readSpecFile(opts.file);
    let spec: DataSpec;
    try {
      spec = parseDataYaml(yaml, opts.file);
    } catch (err) {
      specErrorInWords(err);
    }
    return {
      ...spec,
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.version ? { version: opts.version } : {}),
      ...(opts.path ? { path: opts.path } : {}),
      ...(opts.refreshEvery ? { refresh_interval: opts.refreshEvery } : {}),
    };
  }
  if (!opts.name || !opts.path) throw new InvalidArgumentError('give -f data.yml, or --name and --path');
  const type = opts.type ?? 'uri_folder';
  if (!['uri_file', 'uri_folder', 'mltable'].includes(type)) {
    throw new InvalidArgumentError(`--type must be uri_file, uri_folder or mltable, not '${type}'`);
  }
  return {
    name: opts.name,
    path: opts.path,
    type: type as DataSpec['type'],
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    ...(opts.tag ? { tags: keyValues(opts.tag, '--tag') } : {}),
    ...(opts.refreshEvery ? { refresh_interval: opts.refreshEvery } : {}),
  };
}

async function uploadPath(client: CairnClient, path: string, type: DataSpec['type']) {
  const cache = cliHashCache();
  const hashing = new FileSetBar('hashing');
  const uploading = new FileSetBar('uploading');
  try {
    return await uploadLocalData({
      path,
      type,
      sink: remoteSink(client),
      ...(cache ? { cache } : {}),
      onHashProgress: hashing.update,
      onUploadProgress: (p) => {
        hashing.stop();
        uploading.update(p);
      },
    });
  } finally {
    hashing.stop();
    uploading.stop();
    cache?.close();
  }
}

/** Streams each file to `dest` (through a `.partial` name), with one progress bar over all bytes. */
async function downloadFiles(
  client: CairnClient,
  v: DataVersion,
  files: readonly { path: string; size: number; sha256: string }[],
  dest: string,
): Promise<number> {
  const bar = new FileSetBar('download');
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  const started = performance.now();
  let bytesDone = 0;
  let filesDone = 0;
  const report = () =>
    bar.update({
      filesDone,
      filesTotal: files.length,
      bytesDone,
      bytesTotal,
      filesSkipped: 0,
      bytesPerSecond: bytesDone / Math.max(0.001, (performance.now() - started) / 1000),
    });
  try {
    for (const f of files) {
      const target = join(dest, ...f.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      const hash = createHash('sha256');
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytesDone += chunk.length;
          report();
          done(null, chunk);
        },
      });
      try {
        const body = await client.data.openFile(v.name, v.version, f.path);
        await pipeline(
          Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]),
          counter,
          createWriteStream(partial),
        );
        await rename(partial, target);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      filesDone++;
      report();
    }
  } finally {
    bar.stop();
  }
  return bytesDone;
}
