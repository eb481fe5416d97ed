// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{inputs.x}} is Azure ML's placeholder syntax, not a template literal
import { mkdir, mkdtemp, open as openFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFolder, manifestDigest } from '@cairn/fileset';
import type { Job } from '@cairn/sdk';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { testPython } from '../support/env.js';
import { eventually, launchChromium, screenshot } from './browser.js';

/**
 * A sweep trial that logs `score` (the product of its factors, plus a small rise per step) once per
 * step through the MLflow REST API with urllib (no mlflow import: trials start in milliseconds). Trials
 * scoring under --slow-below start late, so the bandit policy judges them against the good ones.
 */
const SCORE_PY = `
import argparse, json, os, time, urllib.request
p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=1)
p.add_argument("--delay", type=float, default=0)
p.add_argument("--slow-below", type=float, default=None)
p.add_argument("factors", type=float, nargs="+")
a = p.parse_args()
def log(value, step):
    body = json.dumps({"run_id": os.environ["MLFLOW_RUN_ID"], "key": "score", "value": value,
                       "timestamp": int(time.time() * 1000), "step": step}).encode()
    req = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow/runs/log-metric",
                                 data=body, headers={"content-type": "application/json"})
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        req.add_header("authorization", "Bearer " + token)
    urllib.request.urlopen(req).read()
score = 1.0
for f in a.factors:
    score *= f
if a.slow_below is not None and score < a.slow_below:
    time.sleep(2)
for step in range(a.steps):
    log(score + 0.001 * step, step)
    print("step", step, "score", score, flush=True)
    if step < a.steps - 1:
        time.sleep(a.delay)
`;

/** Page load times measured by the tests (goto → the page's main content shown), printed at the end. */
const timings: Record<string, number> = {};

// The jobs, compute, environments and new-job pages in a real Chromium against a real server running
// real local jobs.
describe('studio jobs pages in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let project: string;
  const suffix = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    await build({
      configFile: join(import.meta.dirname, '../../../packages/studio/vite.config.ts'),
      logLevel: 'warn',
    });
    project = await mkdtemp(join(tmpdir(), 'cairn-studio-jobs-'));
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'src', 'greet.sh'), 'echo "greeting: $1"\n');
    await writeFile(join(project, 'src', 'score.py'), SCORE_PY);
    await writeFile(join(project, 'src', 'README.md'), '# greeter\n\nSays hello.\n');
    [server, browser] = await Promise.all([
      startServer('sqlite', { jobEnvironment: process.env }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      const path = join(
        tmpdir(),
        `studio-jobs-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`,
      );
      await page.screenshot({ path }).catch(() => {});
      console.error(`studio jobs test failed on ${page.url()}; screenshot: ${path}`);
    }
  });
  afterAll(async () => {
    console.log(`studio jobs page loads (ms): ${JSON.stringify(timings)}`);
    await browser?.close();
    await server?.dispose();
    if (project) await rm(project, { recursive: true, force: true });
  });

  const url = (path: string) => `${server.baseUrl}/w/default${path}`;
  /** Opens a page and records how long until `ready` shows. */
  const open = async (name: string, path: string, ready: () => Promise<void>) => {
    const start = performance.now();
    await page.goto(url(path));
    await ready();
    timings[name] = Math.round(performance.now() - start);
  };
  const waitForEnd = async (name: string): Promise<Job> => {
    for await (const _ of server.client.jobs.stream(name)) {
      // the stream ends after the job's final status
    }
    return (await server.client.jobs.get(name)).job;
  };
  const statusIn = (job: string) => page.locator(`[data-testid=jobs-table] tr[data-job="${job}"] .status`);
  const headerStatus = () => page.getByTestId('job-name').locator('.status').textContent();

  let longJob: Job;

  it('lists jobs with their live status, filters by status, and shows what runs on each compute', async () => {
    const quick = await server.client.jobs.create({
      yaml: `command: sleep 1.5; echo done\nexperiment_name: studio-jobs-${suffix}`,
    });
    longJob = await server.client.jobs.create({
      yaml: `command: 'for i in $(seq 1 600); do echo "tick $i"; sleep 0.2; done'\ndisplay_name: ticker`,
    });
    await open('jobs list', '/jobs', () => statusIn(quick.name).waitFor());
    // The quick job finishes while the page is open: its status changes without a reload.
    await eventually(
      () => statusIn(longJob.name).textContent(),
      (s) => s === 'running',
      'the long job running',
    );
    await eventually(
      () => statusIn(quick.name).textContent(),
      (s) => s === 'completed',
      'quick job completed',
      30_000,
    );
    const row = page.locator(`[data-testid=jobs-table] tr[data-job="${quick.name}"]`);
    expect(await row.getByRole('link', { name: `studio-jobs-${suffix}` }).count()).toBe(1);
    expect(await row.getByRole('link', { name: 'run' }).getAttribute('href')).toBe(
      `/w/default/runs/${quick.runId}`,
    );
    await screenshot(page, 'jobs');

    await page.getByLabel('Status').selectOption('running');
    await eventually(
      () =>
        page.$$eval('[data-testid=jobs-table] tr[data-job]', (rows) =>
          rows.map((r) => r.getAttribute('data-job')),
        ),
      (names) => names.length === 1 && names[0] === longJob.name,
      'only the running job listed',
    );
    expect(new URL(page.url()).searchParams.get('status')).toBe('running');

    // Compute: the running job shows under local, with the counts.
    await open('compute', '/compute', () => page.getByTestId('compute-table').waitFor());
    await page.getByTestId('running-on-local').getByRole('link', { name: longJob.name }).waitFor();
    expect(await page.locator('tr[data-compute=local] [data-testid=running]').textContent()).toBe('1');
    expect(await page.locator('tr[data-compute=local]').textContent()).toContain('built in');

    // Environments: versions with their spec.
    await server.client.environments.create({ yaml: 'name: sk\nversion: "1"\npip: [scikit-learn==1.5.2]' });
    await server.client.environments.create({
      yaml: 'name: sk\nversion: "2"\npip: [scikit-learn==1.6.1, pandas]',
    });
    await open('environments', '/environments', () => page.getByTestId('environments').waitFor());
    const sk = page.locator('[data-environment=sk]');
    await sk.getByText('2 versions · latest 2').waitFor();
    expect(await sk.locator('pre.code').first().textContent()).toContain('scikit-learn==1.6.1');
  });

  it("opens a running job's page, follows its log live, and cancels it", async () => {
    await open('job logs', `/jobs/${longJob.name}/logs`, () =>
      page.getByTestId('log-view').getByText('tick 1', { exact: true }).waitFor(),
    );
    // New lines keep arriving (server-sent events) while the page is open.
    const count = () => page.getByTestId('log-count').textContent();
    const first = Number((await count())?.split(' ')[0]);
    await eventually(count, (t) => Number(t?.split(' ')[0]) >= first + 3, 'three more log lines');
    await page.getByLabel('Search the log').fill('tick 2');
    await eventually(count, (t) => /^\d+ of \d+ lines$/.test(t ?? ''), 'search narrows the lines');
    await page.getByLabel('Search the log').fill('');

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await eventually(headerStatus, (s) => s === 'canceled', 'the job canceled', 30_000);
    await page.getByRole('link', { name: 'Overview' }).click();
    const history = page.getByTestId('status-history');
    await history.locator('.status-canceled').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
  });

  it('shows a finished job (details, status history, code snapshot) and reruns it with an edited input', async () => {
    const job = await server.client.jobs.create({
      yaml: `command: sh greet.sh \${{inputs.word}}\ncode: src\ninputs:\n  word: hello\nexperiment_name: greetings-${suffix}`,
      codeRoot: project,
    });
    expect((await waitForEnd(job.name)).status).toBe('completed');

    await open('job overview', `/jobs/${job.name}`, () => page.getByTestId('job-details').waitFor());
    expect(await headerStatus()).toBe('completed');
    expect(await page.getByTestId('job-details').textContent()).toContain(`greeting`);
    const history = await page.getByTestId('status-history').locator('tbody tr .status').allTextContents();
    expect(history).toEqual(['queued', 'preparing', 'running', 'finalizing', 'completed']);
    await page.getByTestId('job-io').getByText('hello').waitFor();

    // The code as submitted: the command's script opens first.
    await page.getByRole('link', { name: 'Code' }).click();
    await page.getByTestId('snapshot-files').getByRole('button', { name: 'README.md' }).waitFor();
    await page.getByTestId('snapshot-preview').getByText('echo "greeting: $1"').waitFor();
    await page.getByTestId('snapshot-files').getByRole('button', { name: 'README.md' }).click();
    await page.getByTestId('snapshot-preview').getByText('Says hello.').waitFor();
    await screenshot(page, 'job-code');

    // Rerun with the input changed: the new job's page opens and its log says so.
    await page.getByRole('button', { name: 'Rerun…' }).click();
    const form = page.getByRole('form', { name: 'Rerun' });
    await form.getByLabel('inputs.word').fill('world');
    await form.getByRole('button', { name: 'Submit rerun' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/w/default/jobs/') && !u.pathname.includes(job.name));
    const rerunName = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const rerun = await waitForEnd(rerunName);
    expect(rerun.status).toBe('completed');
    expect(rerun.snapshotId).toBe(job.snapshotId);
    expect(rerun.spec.inputs).toEqual({ word: 'world' });
    await page.getByTestId('job-io').getByText('world').waitFor();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByTestId('log-view').getByText('greeting: world').waitFor();

    // A bad override is refused with the server's words, and nothing is submitted.
    await page.getByRole('button', { name: 'Rerun…' }).click();
    await page
      .getByRole('form', { name: 'Rerun' })
      .getByRole('textbox', { name: /Other changes/ })
      .fill('inputs.nope=1');
    await page.getByRole('button', { name: 'Submit rerun' }).click();
    await page.getByTestId('rerun-error').getByText('declares no input "nope"', { exact: false }).waitFor();
  });

  it('puts why a job failed first: its exit code and the end of its stderr', async () => {
    const job = await server.client.jobs.create({ yaml: `command: echo "disk quota exceeded" >&2; exit 3` });
    expect((await waitForEnd(job.name)).status).toBe('failed');
    await page.goto(url(`/jobs/${job.name}`));
    const failure = page.getByTestId('job-failure');
    await failure.getByText('Failed with exit code 3').waitFor();
    await failure.getByText('disk quota exceeded', { exact: false }).waitFor();
    // It comes before the details.
    const order = await page.$$eval('.job-overview > section', (s) =>
      s.map((e) => e.getAttribute('data-testid') ?? e.querySelector('h2')?.textContent),
    );
    expect(order[0]).toBe('job-failure');
    await screenshot(page, 'job-failed');
  });

  it('submits a job from the form and from YAML, showing the server errors inline', async () => {
    await open('new job form', '/create/job', () => page.getByLabel('Command').waitFor());
    // A placeholder naming no input: the server says so, beside the command.
    await page.getByLabel('Command').fill('echo "form says ${{inputs.msg}} and ${{inputs.typo}}"');
    await page.getByRole('button', { name: 'Add input' }).click();
    await page.getByLabel('Input 1 name').fill('msg');
    await page.getByLabel('Input 1 value').fill('hi there');
    await page.getByLabel('Experiment').fill(`from-form-${suffix}`);
    expect(await page.getByTestId('form-yaml').textContent()).toContain('msg: hi there');
    await page.getByRole('button', { name: 'Submit job' }).click();
    const fieldError = page.locator('.field.has-error .field-error');
    await fieldError.first().waitFor();
    expect(await fieldError.first().textContent()).toContain('typo');

    await page.getByLabel('Command').fill('echo "form says ${{inputs.msg}}"');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL((u) => /\/w\/default\/jobs\/[^/]+$/.test(u.pathname));
    const name = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const job = await waitForEnd(name);
    expect(job.status).toBe('completed');
    expect(job.spec.experiment_name).toBe(`from-form-${suffix}`);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByTestId('log-view').getByText('form says hi there').waitFor();

    // YAML with a mistake: the file:line of each issue, and the line marked.
    await page.goto(url('/create/job?mode=yaml'));
    const editor = page.getByRole('textbox', { name: 'Job YAML' });
    await editor.fill('command: echo hi\ninputs:\n  n: 1\nlimits:\n  timeout: soon\n');
    await page.getByRole('button', { name: 'Submit job' }).click();
    const errors = page.getByTestId('yaml-errors');
    await errors.waitFor();
    expect(await errors.textContent()).toContain('job.yml:5');
    expect(await page.locator('.yaml-editor .gutter .bad').allTextContents()).toEqual(['5']);
    await screenshot(page, 'new-job-yaml');

    await editor.fill(`command: echo "from yaml"\nexperiment_name: from-form-${suffix}\n`);
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL((u) => /\/w\/default\/jobs\/[^/]+$/.test(u.pathname));
    await eventually(headerStatus, (s) => s === 'completed', 'the YAML job completed', 30_000);
  });

  it('submits a job from the form with a code folder picked in the browser, as the CLI would snapshot it', async () => {
    const code = join(project, 'trainer');
    await mkdir(join(code, 'pkg'), { recursive: true });
    await writeFile(join(code, 'train.py'), 'from pkg.util import VALUE\nprint("trained with", VALUE)\n');
    await writeFile(join(code, 'pkg', 'util.py'), `VALUE = "${suffix}"\n`);
    await writeFile(join(code, '.gitignore'), 'secret.txt\n*.log\n');
    await writeFile(join(code, 'secret.txt'), 'do not upload');
    await writeFile(join(code, 'pkg', 'debug.log'), 'noise');

    await open('new job with code', '/create/job', () => page.getByLabel('Command').waitFor());
    await page.getByLabel('Command').fill(`${testPython()} train.py`);
    await page.locator('input[type=file][aria-label="Code folder"]').setInputFiles(code);
    const summary = page.getByTestId('code-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('trainer/: 3 files');
    expect(await summary.textContent()).toContain('2 left out');
    expect(await page.getByTestId('form-yaml').textContent()).toContain('code: ./trainer');
    await screenshot(page, 'new-job-code');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL((u) => /\/w\/default\/jobs\/[^/]+$/.test(u.pathname));
    const name = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const job = await waitForEnd(name);
    expect(job.status).toBe('completed');
    // The browser's snapshot is the one the CLI makes of the same folder, byte for byte.
    const cli = await hashFolder(code, { ignoreFiles: true });
    const cliManifest = {
      version: 1 as const,
      entries: cli.entries.map((e) =>
        e.kind === 'file'
          ? { path: e.path, size: e.size, sha256: e.sha256, mode: e.mode }
          : { path: e.path, symlink: e.target },
      ),
    };
    expect(job.snapshotId).toBe(manifestDigest(cliManifest).sha256);
    const snapshot = await server.client.jobs.snapshot(name);
    expect(snapshot.files.map((f) => f.path)).toEqual(['.gitignore', 'pkg/util.py', 'train.py']);

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByTestId('log-view').getByText(`trained with ${suffix}`).waitFor();
    await page.getByRole('link', { name: 'Code' }).click();
    const files = page.getByTestId('snapshot-files');
    await files.getByRole('button', { name: 'train.py' }).waitFor();
    expect(await files.textContent()).not.toContain('secret.txt');
  });

  it('says in words why a code folder cannot be uploaded: over a limit, not picked, or an upload refused', async () => {
    // A 300 MiB file (sparse: nothing is written) is over the browser's 256 MiB per-file limit.
    const big = join(project, 'big-code');
    await mkdir(big, { recursive: true });
    await writeFile(join(big, 'train.py'), 'print(1)\n');
    const handle = await openFile(join(big, 'weights.bin'), 'w');
    await handle.truncate(300 * 1024 ** 2);
    await handle.close();
    await page.goto(url('/create/job'));
    await page.getByLabel('Command').fill('python train.py');
    await page.locator('input[type=file][aria-label="Code folder"]').setInputFiles(big);
    const error = page.getByTestId('code-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /'weights.bin' is 300 MiB, more than the 256 MiB.*cairn job create/,
    );
    expect(await page.getByRole('button', { name: 'Submit job' }).isDisabled()).toBe(true);

    // YAML naming a code folder: submitting without picking it says what to do.
    await page.goto(url('/create/job?mode=yaml'));
    await page.getByRole('textbox', { name: 'Job YAML' }).fill('command: python train.py\ncode: ./src\n');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page
      .getByTestId('code-error')
      .getByText("names the code folder './src': pick that folder")
      .waitFor();

    // The blob store refuses the upload: the error says what failed, and nothing is submitted.
    const fresh = join(project, 'fresh-code');
    await mkdir(fresh, { recursive: true });
    await writeFile(join(fresh, 'train.py'), `print("${suffix} refused")\n`);
    await page.route('**/api/v1/workspaces/default/blobs/*', (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ code: 'UNAVAILABLE', message: 'the blob store is out of space' }),
          })
        : route.continue(),
    );
    try {
      const before = (await server.client.jobs.list({ maxResults: 1000 })).jobs.length;
      await page.locator('input[type=file][aria-label="Code folder"]').setInputFiles(fresh);
      await page.getByTestId('code-summary').waitFor();
      await page.getByRole('button', { name: 'Submit job' }).click();
      const refused = page.getByTestId('code-error').filter({ hasText: 'Uploading the code folder failed' });
      await refused.waitFor();
      expect(await refused.textContent()).toContain('submitting again sends only the rest');
      expect(page.url()).toContain('/create/job');
      expect((await server.client.jobs.list({ maxResults: 1000 })).jobs.length).toBe(before);
    } finally {
      await page.unrouteAll();
    }
  });

  it("shows a sweep's trials: the table, the best trial, the ones stopped early, and the metric chart", async () => {
    const sweep = await server.client.jobs.create({
      yaml: `
type: sweep
experiment_name: sweep-${suffix}
trial:
  command: ${testPython()} score.py --steps 10 --delay 1 --slow-below 0.5 \${{search_space.quality}} \${{search_space.replica}}
  code: src
  resources:
    properties: { cpus: 0.5 }
search_space:
  quality: { type: choice, values: [0.9, 0.2] }
  replica: { type: choice, values: [1, 1.0001] }
sampling_algorithm: grid
objective: { primary_metric: score, goal: maximize }
early_termination: { type: bandit, slack_factor: 0.1, evaluation_interval: 1, delay_evaluation: 2 }
limits: { max_total_trials: 4, max_concurrent_trials: 4 }
`,
      codeRoot: project,
    });
    // Open it while it runs: the trials appear and update without a reload.
    await page.goto(url(`/jobs/${sweep.name}/trials`));
    await page.getByTestId('trials-table').waitFor({ timeout: 30_000 });
    expect((await waitForEnd(sweep.name)).status).toBe('completed');
    const { sweep: details } = await server.client.jobs.get(sweep.name);
    const best = details!.bestTrial!;

    await eventually(
      () => page.getByTestId('trial-counts').textContent(),
      (t) => t?.startsWith('4 trials · 2 completed · 2 stopped early') ?? false,
      'all four trials settled',
      30_000,
    );
    const table = page.getByTestId('trials-table');
    expect(await table.locator('tr.best').getAttribute('data-trial')).toBe(best.name);
    expect(await table.locator('tr.stopped').count()).toBe(2);
    expect(await table.locator('.stopped-tag').first().textContent()).toBe('stopped early (bandit)');
    expect(await table.locator('thead th').allTextContents()).toEqual(
      expect.arrayContaining(['quality', 'replica', 'score']),
    );
    const chart = page.getByTestId('sweep-chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-points')).toBe('4');

    // Sorting by the metric puts the best first.
    await table.getByRole('button', { name: 'score' }).click();
    expect(await table.locator('tbody tr').first().getAttribute('data-trial')).toBe(best.name);
    await screenshot(page, 'sweep');

    await open('sweep trials', `/jobs/${sweep.name}/trials`, () =>
      page.getByTestId('sweep-chart').locator('canvas').waitFor(),
    );
    // The overview sums it up and links the best trial.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: best.name }).first().waitFor();
    expect(await page.getByText('2 stopped early', { exact: false }).count()).toBeGreaterThan(0);
  });
});
