import { dirname, resolve } from 'node:path';
import { uploadLocalData } from '@cairn/data';
import { applyOverrides, createSnapshot, type JobSpec, parseJobSpec, tryParseInputPath } from '@cairn/jobs';
import type { CairnClient } from '@cairn/sdk';
import { cliHashCache, FileSetBar, remoteSink } from '../uploads.js';

export interface PreparedSubmission {
  /** The `code` folder, uploaded. */
  snapshotId?: string;
  /** Overrides that point local inputs at the data versions they were uploaded as. */
  set: string[];
}

/**
 * Before a job is submitted: its `code` folder is hashed here (all cores, with the hash cache) and only
 * the contents the workspace lacks are uploaded; local input files and folders are uploaded as data
 * versions (anonymous assets, as in Azure ML), so the job reads pinned bytes wherever the server is. Spec errors are found here first, with
 * the file, line and field, before anything is uploaded.
 */
export async function prepareSubmission(
  client: CairnClient,
  options: { file: string; yaml: string; set: readonly string[] },
): Promise<PreparedSubmission> {
  let spec: JobSpec = parseJobSpec(options.yaml, options.file).spec;
  if (options.set.length > 0) spec = applyOverrides(spec, options.set);
  const base = dirname(resolve(options.file));
  const trial = spec.type === 'sweep' ? spec.trial : spec;
  const cache = cliHashCache();
  const prepared: PreparedSubmission = { set: [] };
  try {
    if (trial.code !== undefined) {
      const hashing = new FileSetBar('hashing');
      const uploading = new FileSetBar('uploading');
      try {
        const snapshot = await createSnapshot({
          root: resolve(base, trial.code),
          sink: remoteSink(client),
          ...(cache ? { cache } : {}),
          onProgress: (p) => {
            if (p.phase === 'hashing') hashing.update(p);
            else {
              hashing.stop();
              uploading.update(p);
            }
          },
        });
        prepared.snapshotId = snapshot.id;
        for (const warning of snapshot.warnings) process.stderr.write(`warning: ${warning}\n`);
      } finally {
        hashing.stop();
        uploading.stop();
      }
    }
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      if (typeof input !== 'object' || input.path === undefined) continue;
      const parsed = tryParseInputPath(input.path);
      if (parsed.type !== 'success' || parsed.value.kind !== 'local') continue;
      const type = input.type === 'uri_file' || input.type === 'mltable' ? input.type : 'uri_folder';
      const uploaded = await uploadLocalData({
        path: resolve(base, parsed.value.path),
        type,
        sink: remoteSink(client),
        ...(cache ? { cache } : {}),
        onHashProgress: new FileSetBar(`${name}: hash`).update,
        onUploadProgress: new FileSetBar(`${name}: upload`).update,
      });
      // One anonymous asset per content, as Azure ML does for local inputs: the same folder uploads once.
      const asset = `upload-${uploaded.manifestId.slice(0, 16)}`;
      const existing = await client.data.version(asset, '1').catch(() => null);
      if (!existing) {
        await client.data.create({
          name: asset,
          version: '1',
          type,
          manifestId: uploaded.manifestId,
          uploadedFrom: parsed.value.path,
          description: `Local input '${name}' of ${options.file}`,
        });
      }
      prepared.set.push(`inputs.${name}.path=azureml:${asset}:1`);
    }
    return prepared;
  } finally {
    cache?.close();
  }
}
