/**
 * bench/data: hashing a data folder with Cairn's file-set layer against sha256sum, md5sum and DVC, in one run.
 *
 *   node --import tsx bench/data/run.ts [--quick] [--dir DIR] [--small-files 10000] [--big-size 2G]
 *        [--many-files 100000] [--modified 0.01] [--no-dvc] [--no-readme] [--write-readme] [--keep]
 *
 * (A) 10k files of 1–8 KiB plus one large file: sha256sum and md5sum over every file (xargs -P nproc, and
 *     one process), `dvc add --no-commit` (hashing only) and `dvc add` (hashing, then copying into
 *     .dvc/cache) on a fresh DVC state, `dvc add` again unchanged, then Cairn `hashFolder` with a fresh
 *     hash cache (cold) and again unchanged (warm, median of 3).
 * (B) 100k files of 1–8 KiB: the same tools cold, then 1% of the files rewritten and each tool again with
 *     the state its previous pass left (Cairn's hash cache, DVC's state database).
 * (C) End to end `cairn data create` / `cairn data refresh` through the bundled CLI and a server: A uploaded
 *     cold and again unchanged; B referenced through a local datastore, then refreshed after 1% rewrites.
 *
 * Every tool reads the same files, which were just written, so all read from the page cache. DVC comes
 * from PyPI, installed on first use into .bench/.venv (not the project's test venv).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { replaceReadmeResults } from '../harness.js';
import { modifySmallFiles, writeLargeFile, writeSmallFiles } from './generate.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────────────
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const parseSize = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text);
  if (!match) throw new Error(`'${text}' is not a size such as 2G, 512M or 1000000`);
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(match[1]) * unit);
};
const quick = flag('quick');
const SMALL_FILES = Number(option('small-files') ?? (quick ? 2000 : 10_000));
const BIG_BYTES = parseSize(option('big-size') ?? (quick ? '64M' : '2G'));
const MANY_FILES = Number(option('many-files') ?? (quick ? 20_000 : 100_000));
const MODIFIED = Number(option('modified') ?? 0.01);
const useDvc = !flag('no-dvc');
const writeReadme = flag('write-readme') || (!quick && !flag('no-readme'));
const repoRoot = resolve(import.meta.dirname, '..', '..');
const NPROC = availableParallelism();
/** Files modified less than this long before a pass are re-hashed by Cairn (its racy-clean window), plus margin. */
const RACY_WAIT_MS = 2100;

// ── measuring ────────────────────────────────────────────────────────────────────────────────────────
interface Measure {
  label: string;
  ms: number;
  bytes: number;
  /** What the tool did, when it says (Cairn: files hashed and taken from its cache). */
  detail?: string;
}

async function run(
  command: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: options.cwd, env: options.env ?? process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new Error(`'${command}' exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

async function timeCommand(command: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const started = performance.now();
  await run(command, options);
  return performance.now() - started;
}

/** sha256sum/md5sum over every file under `dir`, `parallel` processes at a time (500 files per process). */
const checksumAll = (tool: 'sha256sum' | 'md5sum' | 'openssl dgst -sha256', dir: string, parallel: number) =>
  timeCommand(`find '${dir}' -type f -print0 | xargs -0 -P ${parallel} -n 500 ${tool} > /dev/null`);

interface CairnPass {
  ms: number;
  processMs: number;
  files: number;
  bytes: number;
  counts: { hashed: number; fromCache: number; bytesHashed: number };
  rssMiB: number;
}

/** `hashFolder` in a fresh process, as a CLI would run it; `ms` is the call, `processMs` the whole process. */
async function cairnHash(root: string, cache: string): Promise<CairnPass> {
  const started = performance.now();
  const out = await run(
    `node --import tsx bench/data/hash-folder-child.ts --root '${root}' --cache '${cache}'`,
    { cwd: repoRoot },
  );
  const processMs = performance.now() - started;
  return { ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<CairnPass, 'processMs'>), processMs };
}

const cairnDetail = (p: CairnPass) =>
  `${num(p.counts.hashed)} hashed, ${num(p.counts.fromCache)} from cache; process ${ms(p.processMs)}, ${p.rssMiB} MiB RSS`;

// ── DVC ──────────────────────────────────────────────────────────────────────────────────────────────
const DVC_VERSION = '3.67.1';
const dvcEnv = { ...process.env, DVC_NO_ANALYTICS: '1' };

/** The dvc executable, installed into .bench/.venv from PyPI on first use. */
async function ensureDvc(): Promise<string> {
  const venv = join(repoRoot, '.bench', '.venv');
  const dvc = join(venv, 'bin', 'dvc');
  if (!existsSync(dvc)) {
    console.log(`installing dvc==${DVC_VERSION} into ${venv} (once) …`);
    await mkdir(join(repoRoot, '.bench'), { recursive: true });
    await run(`python3 -m venv '${venv}' && '${venv}/bin/pip' install -q 'dvc==${DVC_VERSION}'`);
  }
  // The first run compiles DVC's Python files; keep that out of the timings.
  await run(`'${dvc}' --version`, { env: dvcEnv });
  return dvc;
}

class DvcRepo {
  constructor(
    readonly dvc: string,
    readonly root: string,
    readonly siteCache: string,
  ) {}

  static async init(dvc: string, root: string, siteCache: string): Promise<DvcRepo> {
    await run(`'${dvc}' init --no-scm -q && '${dvc}' config core.site_cache_dir '${siteCache}'`, {
      cwd: root,
      env: dvcEnv,
    });
    return new DvcRepo(dvc, root, siteCache);
  }

  add(target: string, noCommit = false): Promise<number> {
    return timeCommand(`'${this.dvc}' add -q ${noCommit ? '--no-commit ' : ''}'${target}'`, {
      cwd: this.root,
      env: dvcEnv,
    });
  }

  /** Forgets what DVC knows (its state database, the .dvc file, the cache), for a cold run. */
  async reset(target: string): Promise<void> {
    for (const path of [
      join(this.root, `${target}.dvc`),
      this.siteCache,
      join(this.root, '.dvc', 'tmp'),
      join(this.root, '.dvc', 'cache'),
    ]) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

// ── formatting ───────────────────────────────────────────────────────────────────────────────────────
const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => (n >= 10_000 ? `${num(n / 1000, 1)} s` : `${num(n)} ms`);
const gib = (bytes: number) =>
  bytes >= 2 ** 30 ? `${num(bytes / 2 ** 30, 2)} GiB` : `${num(bytes / 2 ** 20, 1)} MiB`;
const rate = (m: Measure) => `${num(m.bytes / 2 ** 20 / (m.ms / 1000))} MiB/s`;
const times = (r: number) => `${num(r, r >= 10 ? 0 : 1)}×`;

function table(title: string, rows: Measure[], ratioTo: (m: Measure) => Measure | null): string {
  return [
    `| ${title} | Time | Read rate | Cairn is … faster | |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map((m) => {
      const cairn = ratioTo(m);
      return `| ${m.label} | ${ms(m.ms)} | ${rate(m)} | ${cairn ? times(m.ms / cairn.ms) : ''} | ${m.detail ?? ''} |`;
    }),
  ].join('\n');
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────────
const parent = resolve(option('dir') ?? tmpdir());
await mkdir(parent, { recursive: true });
const work = await mkdtemp(join(parent, 'cairn-bench-data-'));
const load = [loadavg()[0]!];
const notes: string[] = [];
console.log(`work folder ${work}`);

try {
  const dvc = useDvc ? await ensureDvc() : null;
  const dvcVersion = dvc ? (await run(`'${dvc}' --version`, { env: dvcEnv })).trim() : 'not run';
  const repo = dvc ? await DvcRepo.init(dvc, work, join(work, 'dvc-site')) : null;

  // (A) 10k small files and one large file.
  const a = join(work, 'a');
  console.log(`(A) writing ${num(SMALL_FILES)} small files and a ${gib(BIG_BYTES)} file …`);
  const aBytes = writeSmallFiles(join(a, 'small'), SMALL_FILES) + BIG_BYTES;
  writeLargeFile(join(a, 'big.bin'), BIG_BYTES);
  await run('sync');
  const A: Measure[] = [];
  const measureA = async (label: string, time: () => Promise<number>) => {
    const m = { label, ms: await time(), bytes: aBytes };
    console.log(`  ${label}: ${ms(m.ms)}`);
    A.push(m);
    return m;
  };
  await measureA(`sha256sum, xargs -P ${NPROC}`, () => checksumAll('sha256sum', a, NPROC));
  await measureA('sha256sum, one process', () => checksumAll('sha256sum', a, 1));
  await measureA(`md5sum, xargs -P ${NPROC}`, () => checksumAll('md5sum', a, NPROC));
  await measureA('md5sum, one process', () => checksumAll('md5sum', a, 1));
  // coreutils' sha256sum has no SHA extensions code; OpenSSL (which Node uses) does: the same hash, faster.
  await measureA(`openssl dgst -sha256, xargs -P ${NPROC}`, () =>
    checksumAll('openssl dgst -sha256', a, NPROC),
  );

  const cacheA = join(work, 'cairn-a.sqlite');
  const coldA = await cairnHash(a, cacheA);
  const cairnColdA: Measure = {
    label: '**Cairn `hashFolder`, cold (fresh cache)**',
    ms: coldA.ms,
    bytes: aBytes,
    detail: cairnDetail(coldA),
  };
  console.log(`  Cairn cold: ${ms(coldA.ms)} (${cairnDetail(coldA)})`);
  const warmPasses: CairnPass[] = [];
  for (let i = 0; i < 3; i++) warmPasses.push(await cairnHash(a, cacheA));
  warmPasses.sort((x, y) => x.ms - y.ms);
  const warmA = warmPasses[1]!;
  const cairnWarmA: Measure = {
    label: '**Cairn `hashFolder`, unchanged (warm cache, median of 3)**',
    ms: warmA.ms,
    bytes: aBytes,
    detail: cairnDetail(warmA),
  };
  console.log(`  Cairn warm: ${ms(warmA.ms)} (${cairnDetail(warmA)})`);

  let dvcWarmA: Measure | null = null;
  if (repo) {
    await measureA('`dvc add --no-commit`, cold (hashing only)', () => repo.add('a', true));
    await repo.reset('a');
    await measureA('`dvc add`, cold (hashes, then copies into .dvc/cache)', () => repo.add('a'));
    dvcWarmA = await measureA('`dvc add`, unchanged (warm state)', () => repo.add('a'));
    await repo.reset('a');
  }
  A.push(cairnColdA, cairnWarmA);

  // (B) 100k small files, then 1% of them rewritten.
  const b = join(work, 'b');
  console.log(`(B) writing ${num(MANY_FILES)} small files …`);
  const bBytes = writeSmallFiles(b, MANY_FILES);
  await run('sync');
  // Cairn does not cache a file modified within its racy window before the pass: let them age past it.
  await sleep(RACY_WAIT_MS);
  const B: Measure[] = [];
  const measureB = async (label: string, time: () => Promise<number>) => {
    const m = { label, ms: await time(), bytes: bBytes };
    console.log(`  ${label}: ${ms(m.ms)}`);
    B.push(m);
    return m;
  };
  const sha256B = await measureB(`sha256sum, xargs -P ${NPROC} (every file, no cache)`, () =>
    checksumAll('sha256sum', b, NPROC),
  );
  await measureB(`md5sum, xargs -P ${NPROC} (every file, no cache)`, () => checksumAll('md5sum', b, NPROC));
  const cacheB = join(work, 'cairn-b.sqlite');
  const coldB = await cairnHash(b, cacheB);
  const cairnColdB: Measure = {
    label: '**Cairn `hashFolder`, cold (fresh cache)**',
    ms: coldB.ms,
    bytes: bBytes,
    detail: cairnDetail(coldB),
  };
  console.log(`  Cairn cold: ${ms(coldB.ms)} (${cairnDetail(coldB)})`);
  if (repo) await measureB('`dvc add`, cold', () => repo.add('b'));

  const modified = modifySmallFiles(b, MANY_FILES, MODIFIED);
  await run('sync');
  const warmB = await cairnHash(b, cacheB);
  const cairnWarmB: Measure = {
    label: `**Cairn \`hashFolder\`, ${num(modified)} files (${num(MODIFIED * 100, 1)}%) rewritten (warm cache)**`,
    ms: warmB.ms,
    bytes: bBytes,
    detail: cairnDetail(warmB),
  };
  console.log(`  Cairn ${num(MODIFIED * 100, 1)}% modified: ${ms(warmB.ms)} (${cairnDetail(warmB)})`);
  const dvcWarmB = repo
    ? await measureB(`\`dvc add\`, ${num(MODIFIED * 100, 1)}% rewritten (warm state)`, () => repo.add('b'))
    : null;
  if (warmB.counts.fromCache < MANY_FILES - modified) {
    notes.push(
      `(B) Cairn took only ${num(warmB.counts.fromCache)} of ${num(MANY_FILES - modified)} unchanged files from its cache: something changed their stat between the passes.`,
    );
  }
  B.push(cairnColdB, cairnWarmB);

  // (C) End to end through the CLI and a server (the bundle, as a user runs it): register folder A by
  // upload, cold and again unchanged; reference folder B through a local datastore, rewrite 1% of it and
  // refresh (the server lists B, compares sizes and mtimes with the last manifest, reads only what changed).
  const endToEnd: Measure[] = [];
  {
    console.log('(C) end to end through the CLI and a server …');
    await run('node scripts/build.mjs', { cwd: repoRoot });
    const port = 5600 + Math.floor(Math.random() * 300);
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(
      'node',
      ['dist/cairn.mjs', 'server', 'start', '--port', String(port), '--data-dir', join(work, 'server')],
      {
        cwd: repoRoot,
        stdio: 'ignore',
      },
    );
    try {
      for (let i = 0; i < 200; i++) {
        if (
          await fetch(`${url}/health`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await sleep(50);
      }
      const env = { ...process.env, CAIRN_URL: url, XDG_CACHE_HOME: join(work, 'xdg') };
      const cli = (args: string) => timeCommand(`node dist/cairn.mjs ${args}`, { cwd: repoRoot, env });
      const e2e = async (label: string, bytes: number, args: string) => {
        const m = { label, ms: await cli(args), bytes };
        console.log(`  ${label}: ${ms(m.ms)}`);
        endToEnd.push(m);
      };
      await e2e(
        '`cairn data create --path A`, cold (hash, upload into the blob store)',
        aBytes,
        `data create --name a --path '${a}'`,
      );
      await e2e(
        '`cairn data create --path A` again, unchanged (hash cache; nothing uploaded)',
        aBytes,
        `data create --name a --path '${a}'`,
      );
      await writeFile(join(work, 'ds.yml'), `name: bench\ntype: local\npath: ${work}\n`);
      await run(`node dist/cairn.mjs datastore create -f '${join(work, 'ds.yml')}'`, { cwd: repoRoot, env });
      await e2e(
        '`cairn data create --path azureml://datastores/bench/paths/b` (server lists and hashes B)',
        bBytes,
        'data create --name b --path azureml://datastores/bench/paths/b',
      );
      const rewritten = modifySmallFiles(b, MANY_FILES, MODIFIED);
      await e2e(
        `\`cairn data refresh b\` after ${num(rewritten)} files (${num(MODIFIED * 100, 1)}%) of B were rewritten`,
        bBytes,
        'data refresh b',
      );
      await e2e('`cairn data refresh b` again, unchanged', bBytes, 'data refresh b');
    } finally {
      server.kill('SIGTERM');
    }
  }

  load.push(loadavg()[0]!);
  const cairnFor = (m: Measure): Measure | null => {
    if (m.label.startsWith('**')) return null;
    if (A.includes(m)) return m === dvcWarmA ? cairnWarmA : cairnColdA;
    return m === dvcWarmB ? cairnWarmB : cairnColdB;
  };
  notes.push(
    `(B) Checking the folder again after the edit: sha256sum has no cache and reads every file again (${ms(sha256B.ms)}); Cairn re-reads only the rewritten files (${ms(cairnWarmB.ms)}): ${times(sha256B.ms / cairnWarmB.ms)} faster.`,
  );
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).stdout.trim();
  const coreutils = (await run('sha256sum --version')).split('\n')[0];
  const report = [
    `### ${quick ? 'Quick' : 'Full'} run of ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB; 1-minute load average ${num(load[0]!, 1)} at the start and ${num(load[1]!, 1)} at the end. Node ${process.version}, ${coreutils}, DVC ${dvcVersion}, Cairn at ${commit}; hash pool of ${Math.max(2, NPROC)} threads. Files on local disk (ext4), just written, so every tool reads from the page cache. "Cairn is … faster" divides the tool's time by Cairn's cold time (by Cairn's warm time for DVC's warm passes).`,
    '',
    table(
      `(A) ${num(SMALL_FILES)} files of 1–8 KiB + one ${gib(BIG_BYTES)} file (${gib(aBytes)})`,
      A,
      cairnFor,
    ),
    '',
    table(`(B) ${num(MANY_FILES)} files of 1–8 KiB (${gib(bBytes)})`, B, cairnFor),
    '',
    '(C) End to end, `cairn data create` / `cairn data refresh` through the CLI and a server:',
    endToEnd.length > 0 ? table('(C) through the CLI', endToEnd, () => null) : '_not measured in this run._',
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  process.stdout.write(`\n${report}\n`);
  if (writeReadme) replaceReadmeResults('data-results', report);
} finally {
  if (!flag('keep')) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
