import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { followJob, submitJob } from '../jobs/job-client.js';
import { testRayAddress } from '../support/env.js';
import { api, eventually, restartableServer, storedLog, WS } from './restart-support.js';

/**
 * A Ray job outlives a SIGKILLed server; the restarted server re-attaches it and goes on collecting its
 * log. Ray serves the whole log on every request, so the server must resume exactly after what it had
 * stored: the stored log then has every line exactly once, in order, however the crash fell.
 */

const address = testRayAddress();
const LINES = 40;
const EXPECTED = Array.from({ length: LINES }, (_, i) => `line-${i + 1}`);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The Ray job's own log, straight from Ray (what it has printed so far, whoever collects it). */
async function rayLog(jobName: string): Promise<string> {
  const res = await fetch(`${address}/api/jobs/cairn-${jobName}/logs`);
  if (!res.ok) return '';
  return ((await res.json()) as { logs?: string }).logs ?? '';
}

async function rayStatus(jobName: string): Promise<string | undefined> {
  const res = await fetch(`${address}/api/jobs/cairn-${jobName}`);
  return res.ok ? ((await res.json()) as { status?: string }).status : undefined;
}

describe.skipIf(!address)('a Ray job across a server crash', () => {
  it.each([
    ['goes on running while the server is down', false],
    ['ends while the server is down', true],
  ])(
    'stores every line of its log exactly once when it %s',
    async (_title, waitForEnd) => {
      const storage = await restartableServer('sqlite');
      cleanups.push(() => storage.dispose());
      const first = await storage.start();
      const compute = `ray-${randomBytes(4).toString('hex')}`;
      await api(first.url, 'POST', `${WS}/computes`, {
        yaml: `name: ${compute}\ntype: ray\naddress: ${address}\n`,
      });
      const { name } = await submitJob(first.url, {
        yaml: `command: 'for i in $(seq 1 ${LINES}); do echo "line-$i"; sleep 0.25; done'\ncompute: azureml:${compute}\n`,
      });
      const stdoutOf = async (baseUrl: string) =>
        (await storedLog(baseUrl, name))
          .filter((c) => c.stream === 'stdout')
          .map((c) => c.data)
          .join('');

      // Killed once part of the log is stored, and kept down while Ray goes on printing (or finishes).
      await eventually('the first lines stored', async () =>
        (await stdoutOf(first.url)).includes('line-8\n') ? true : undefined,
      );
      await first.kill9();
      if (waitForEnd) {
        await eventually('the Ray job to end', async () =>
          (await rayStatus(name)) === 'SUCCEEDED' ? true : undefined,
        );
      } else {
        await eventually('Ray to print more while the server is down', async () =>
          (await rayLog(name)).includes('line-20\n') ? true : undefined,
        );
        expect(await rayStatus(name)).toBe('RUNNING');
      }

      const second = await storage.start();
      await followJob(second.url, name);
      const { job } = await api<{ job: { status: string; errorSummary: string | null } }>(
        second.url,
        'GET',
        `${WS}/jobs/${name}`,
      );
      expect(job.status, job.errorSummary ?? '').toBe('completed');
      const lines = (await stdoutOf(second.url)).split('\n').filter((l) => l.startsWith('line-'));
      expect(lines).toEqual(EXPECTED);
    },
    180_000,
  );
});
