import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MetadataStore } from '@cairn/store';
import { type ArtifactRepository, runArtifactRoot } from '@cairn/tracking';

async function* filesUnder(dir: string, prefix = ''): AsyncGenerator<{ abs: string; rel: string }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) yield* filesUnder(join(dir, e.name), rel);
    else if (e.isFile()) yield { abs: join(dir, e.name), rel };
  }
}

export interface RunTarget {
  workspaceId: string;
  experimentId: number;
  runId: string;
}

/** Uploads each output folder into the run's artifacts as `outputs/<name>/…`; returns the file count. */
export async function uploadOutputs(
  artifacts: ArtifactRepository,
  run: RunTarget,
  outputs: Record<string, string>,
): Promise<number> {
  const root = runArtifactRoot(run.experimentId, run.runId);
  let count = 0;
  for (const [name, dir] of Object.entries(outputs)) {
    for await (const file of filesUnder(dir)) {
      await artifacts.put(run.workspaceId, `${root}/outputs/${name}/${file.rel}`, createReadStream(file.abs));
      count++;
    }
  }
  return count;
}

/** Stores the job's whole output, in order, as the run artifact `user_logs/std_log.txt`. */
export async function storeJobLog(
  store: MetadataStore,
  artifacts: ArtifactRepository,
  run: RunTarget,
  jobId: string,
): Promise<void> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let after = 0;
    for (;;) {
      const rows = await store.db
        .selectFrom('job_log_chunks')
        .select(['seq', 'data'])
        .where('workspace_id', '=', run.workspaceId)
        .where('job_id', '=', jobId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(500)
        .execute();
      if (rows.length === 0) return;
      for (const r of rows) yield Buffer.from(r.data, 'utf8');
      after = rows.at(-1)!.seq;
    }
  }
  const path = `${runArtifactRoot(run.experimentId, run.runId)}/user_logs/std_log.txt`;
  await artifacts.put(run.workspaceId, path, Readable.from(chunks()));
}
