import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type ArtifactEntry,
  CairnApiError,
  type CairnClient,
  isTerminalJobStatus,
  type Job,
  type JobStatus,
  type JobStatusEvent,
} from '@cairn/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { clientFor, collect, positiveInt } from '../client-options.js';
import { formatBytes, formatDuration, formatTime, printFields, printJson, printTable } from '../output.js';
import { prepareSubmission } from './job-upload.js';

const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'preparing',
  'running',
  'finalizing',
  'completed',
  'failed',
  'canceled',
];

interface CreateOptions {
  file: string;
  set?: string[];
  stream?: boolean;
  name?: string;
  experimentName?: string;
  message?: string;
}

export function registerJobCommands(program: Command): void {
  const job = program
    .command('job')
    .description('Jobs: a command run on a compute target, tracked as a run (Azure ML v2 YAML)');

  job
    .command('create')
    .description(
      'Submit a job from its YAML file: its code folder and local inputs are uploaded (only content the workspace lacks)',
    )
    .requiredOption('-f, --file <path>', 'the job YAML (type: command)')
    .option('--set <path=value>', 'override a field, e.g. inputs.C=0.5 (repeatable)', collect)
    .option('-s, --stream', 'follow its output until it ends; exit 1 when it fails or is canceled')
    .option('-n, --name <name>', "the job's name (default: a generated one)")
    .option('-e, --experiment-name <name>', 'the experiment its run goes into')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (opts: CreateOptions, command: Command) => {
      const { client, options } = clientFor(command);
      const yaml = await readSpecFile(opts.file);
      const set = [...(opts.set ?? [])];
      // JSON strings are YAML strings: a name like `123` stays text.
      if (opts.name !== undefined) set.push(`name=${JSON.stringify(opts.name)}`);
      if (opts.experimentName !== undefined)
        set.push(`experiment_name=${JSON.stringify(opts.experimentName)}`);
      const prepared = await prepareSubmission(client, {
        file: opts.file,
        yaml,
        set,
      }).catch(specErrorInWords);
      const created = await client.jobs
        .create({
          yaml,
          file: opts.file,
          set: [...set, ...prepared.set],
          ...(prepared.snapshotId ? { snapshotId: prepared.snapshotId } : {}),
          ...(opts.message ? { message: opts.message } : {}),
        })
        .catch(specErrorInWords);
      if (!opts.stream) {
        if (options.output === 'json') return printJson(created);
        process.stdout.write(
          `Created job ${created.name} (${created.status} on ${created.compute}); follow it with: cairn job stream ${created.name}\n`,
        );
        return;
      }
      process.stderr.write(`Created job ${created.name} on ${created.compute}\n`);
      process.exitCode = await followJob(client, created.name);
    });

  job
    .command('list')
    .description('List jobs, newest first')
    .option('--status <status>', `only jobs in this status (${JOB_STATUSES.join(', ')})`, jobStatus)
    .option('--max <n>', 'at most this many', positiveInt('--max'), 50)
    .action(async (opts: { status?: JobStatus; max?: number }, command: Command) => {
      const { client, options } = clientFor(command);
      const max = opts.max ?? 50;
      const jobs: Job[] = [];
      for await (const j of client.jobs.iterate({ status: opts.status, maxResults: Math.min(max, 1000) })) {
        jobs.push(j);
        if (jobs.length >= max) break;
      }
      if (options.output === 'json') return printJson(jobs);
      const experiments = await experimentNames(client, jobs);
      printTable(
        [
          { header: 'NAME', value: (j: Job) => j.name },
          { header: 'TYPE', value: (j) => j.type },
          { header: 'STATUS', value: (j) => j.status },
          { header: 'COMPUTE', value: (j) => j.compute },
          { header: 'EXPERIMENT', value: (j) => experiments.get(j.experimentId ?? '') ?? '-', maxWidth: 30 },
          { header: 'CREATED', value: (j) => formatTime(j.createdAt) },
          { header: 'DURATION', value: (j) => jobDuration(j), align: 'right' },
        ],
        jobs,
        'No jobs',
      );
    });

  job
    .command('snapshot')
    .description("List the files of a job's code snapshot (download one with the API's snapshot/file route)")
    .argument('<name>', 'job name')
    .option('--prefix <folder>', 'only the files under this folder')
    .action(async (name: string, opts: { prefix?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const snapshot = await client.jobs.snapshot(name, { prefix: opts.prefix });
      if (options.output === 'json') return printJson(snapshot);
      process.stdout.write(`Snapshot ${snapshot.snapshotId}\n`);
      printTable(
        [
          {
            header: 'PATH',
            value: (f: (typeof snapshot.files)[number]) => (f.symlink ? `${f.path} -> ${f.symlink}` : f.path),
          },
          { header: 'SIZE', value: (f) => (f.size === null ? '-' : formatBytes(f.size)), align: 'right' },
          { header: 'EXEC', value: (f) => (f.executable ? 'x' : '') },
        ],
        snapshot.files,
        'No files',
      );
    });

  job
    .command('show')
    .description('Show a job: why it failed first, then its details and status history')
    .argument('<name>', 'job name')
    .action(async (name: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const { job: j, events } = await client.jobs.get(name);
      if (options.output === 'json') return printJson({ job: j, events });
      if (j.status === 'failed') {
        process.stdout.write(`Job ${j.name} failed${exitCodeText(j)}\n`);
        if (j.errorSummary) process.stdout.write(`${indent(j.errorSummary)}\n`);
        process.stdout.write('\n');
      }
      const experiment = (await experimentNames(client, [j])).get(j.experimentId ?? '');
      printFields([
        ['Name', j.name],
        ['Type', j.type],
        ['Status', j.status],
        ...(j.exitCode === null ? [] : [['Exit code', String(j.exitCode)] as [string, string]]),
        ['Compute', j.compute],
        ['Command', j.command],
        ['Experiment', experiment ?? j.experimentId ?? '-'],
        ['Run ID', j.runId ?? '-'],
        ['Snapshot', j.snapshotId ?? '-'],
        ['Environment', j.environmentHash ?? '-'],
        ['Created', `${formatTime(j.createdAt)} by ${j.createdBy}`],
        ['Started', formatTime(j.startedAt)],
        ['Ended', formatTime(j.endedAt)],
        ['Duration', jobDuration(j)],
        ...(j.parentJobName ? [['Parent job', j.parentJobName] as [string, string]] : []),
      ]);
      process.stdout.write('\nStatus history\n');
      printTable(
        [
          { header: 'TIME', value: (e: JobStatusEvent) => formatTime(e.at) },
          { header: 'AFTER', value: (e) => formatDuration(e.at - j.createdAt), align: 'right' },
          { header: 'STATUS', value: (e) => e.status },
          { header: 'MESSAGE', value: (e) => (e.message ?? '').split('\n')[0] ?? '', maxWidth: 80 },
        ],
        events,
      );
    });

  job
    .command('stream')
    .description("Follow a job's output and status until it ends; exit 1 when it fails or is canceled")
    .argument('<name>', 'job name')
    .action(async (name: string, _opts, command: Command) => {
      const { client } = clientFor(command);
      process.exitCode = await followJob(client, name);
    });

  job
    .command('cancel')
    .description('Cancel a job (a running one has its whole process tree stopped)')
    .argument('<name>', 'job name')
    .option('-m, --message <text>', 'why, for the audit log')
    .action(async (name: string, opts: { message?: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const j = await client.jobs.cancel(name, opts.message ? { message: opts.message } : {});
      if (options.output === 'json') return printJson(j);
      process.stdout.write(`Job ${j.name}: ${j.status}\n`);
    });

  job
    .command('download')
    .description("Download a job's outputs and logs (its run's artifacts) into <dest>/<job name>")
    .argument('<name>', 'job name')
    .option('-d, --dest <dir>', 'local folder to write into', '.')
    .action(async (name: string, opts: { dest: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const { job: j } = await client.jobs.get(name);
      if (!j.runId) throw new Error(`Job ${name} has no run yet (status ${j.status}); nothing to download`);
      const root = join(opts.dest, j.name);
      const files: ArtifactEntry[] = [];
      for await (const f of client.runs.walkArtifacts(j.runId)) files.push(f);
      const written: { path: string; file: string; bytes: number }[] = [];
      for (const f of files) {
        const local = join(root, ...f.path.split('/'));
        const done = await client.runs.downloadArtifactToFile(j.runId, f.path, local);
        written.push({ path: f.path, file: relative(process.cwd(), local) || local, bytes: done.bytes });
      }
      if (options.output === 'json') return printJson(written);
      const bytes = written.reduce((n, f) => n + f.bytes, 0);
      process.stdout.write(
        `Downloaded ${written.length} file${written.length === 1 ? '' : 's'} (${formatBytes(bytes)}) of job ${j.name} to ${root}\n`,
      );
    });
}

function jobStatus(value: string): JobStatus {
  if (!(JOB_STATUSES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${JOB_STATUSES.join(', ')}`);
  }
  return value as JobStatus;
}

/** Reads a spec file, saying which file when it cannot. */
export async function readSpecFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read it (${(err as Error).message})`,
    );
  }
}

/**
 * A spec error's message already names file, line, column and field on each of its lines
 * (`job.yml:3:5: limits.timeout: ...`): print it as it is, without the generic field suffix.
 */
export function specErrorInWords(err: unknown): never {
  if (err instanceof CairnApiError && err.code === 'INVALID_ARGUMENT' && err.details.line !== undefined) {
    throw new Error(err.message);
  }
  throw err;
}

const jobDuration = (j: Job) =>
  j.startedAt === null ? '-' : formatDuration((j.endedAt ?? Date.now()) - j.startedAt);
const exitCodeText = (j: Job) => (j.exitCode === null ? '' : ` with exit code ${j.exitCode}`);
const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** Experiment names of the jobs' runs, looked up once per experiment. */
async function experimentNames(client: CairnClient, jobs: readonly Job[]): Promise<Map<string, string>> {
  const ids = [...new Set(jobs.map((j) => j.experimentId).filter((id): id is string => id !== null))];
  const names = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const name = await client.experiments.get(id).then(
        (e) => e.name,
        () => id,
      );
      names.set(id, name);
    }),
  );
  return names;
}

/**
 * Prints a job's output as it arrives (stdout to stdout, stderr to stderr) and its status changes as
 * dim lines on stderr, until it ends. Returns the exit status for the CLI: 0 when it completed.
 */
async function followJob(client: CairnClient, name: string): Promise<number> {
  const dim = (s: string) => (process.stderr.isTTY ? `\x1b[2m${s}\x1b[22m` : s);
  // A status line starts on a line of its own even when the job's last output had no newline.
  const open = { stdout: false, stderr: false };
  let final: JobStatus | null = null;
  for await (const event of client.jobs.stream(name, {
    onReconnect: (attempt) => process.stderr.write(dim(`[connection lost; reconnecting (${attempt})]\n`)),
  })) {
    if (event.type === 'log') {
      const out = event.stream === 'stdout' ? process.stdout : process.stderr;
      out.write(event.data);
      open[event.stream] = !event.data.endsWith('\n');
      continue;
    }
    for (const s of ['stdout', 'stderr'] as const) {
      if (open[s]) (s === 'stdout' ? process.stdout : process.stderr).write('\n');
      open[s] = false;
    }
    const when = formatTime(event.at).slice(11);
    const first = event.message?.split('\n')[0];
    const note = first && !isTerminalJobStatus(event.status) ? ` (${first})` : '';
    process.stderr.write(`${dim(`[${when}] ${event.status}${note}`)}\n`);
    if (isTerminalJobStatus(event.status)) final = event.status;
  }
  if (final === 'completed') return 0;
  const { job: j } = await client.jobs.get(name).catch((err: unknown) => {
    if (err instanceof CairnApiError) throw err;
    throw new Error(`the stream of job ${name} ended before the job did`);
  });
  if (j.status === 'completed') return 0;
  process.stderr.write(`Job ${j.name} ${j.status}${exitCodeText(j)}\n`);
  if (j.errorSummary) process.stderr.write(`${indent(j.errorSummary)}\n`);
  return 1;
}
