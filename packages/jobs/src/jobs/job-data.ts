import type { RequestContext } from '@cairn/tracking';
import { type CommandJobSpec, tryParseInputPath } from '../spec/index.js';

/** A data version pinned for a job input, and where on this machine the job reads it. */
export interface BoundDataInput {
  name: string;
  version: string;
  /** A local folder (or file, for `uri_file`): the version's files, read-only, or its source in place. */
  path: string;
}

/**
 * What jobs need from the data registry (the server wires `@cairn/data` in; jobs do not depend on it):
 * inputs bound to data versions, outputs registered as new versions, lineage between them and runs.
 */
export interface JobData {
  /**
   * Pins `name` at `version` (`latest` for the newest) and makes its files readable on this machine,
   * once per version: a copy shared by every job (read-only), or a referenced local folder in place
   * after checking it still matches. Refuses a version whose source changed. With mode `direct`, a
   * version referenced in S3 or over HTTP is handed over as its source URI, not copied.
   */
  bindInput(workspaceId: string, name: string, version: string, mode?: string): Promise<BoundDataInput>;
  /** Registers an output folder (or file) on this machine as a new version of `name`. */
  registerOutput(
    ctx: RequestContext,
    output: { name: string; version: string | null; type: string; localPath: string; description: string },
  ): Promise<{ name: string; version: string }>;
  recordLineage(
    workspaceId: string,
    link: {
      runId: string;
      jobName: string;
      direction: 'input' | 'output';
      port: string;
      name: string;
      version: string;
    },
  ): Promise<void>;
}

/** The data versions a submitted job's inputs were pinned to (`azureml:<name>:<version>` paths). */
export function pinnedDataInputs(
  spec: Pick<CommandJobSpec, 'inputs'>,
): Array<{ port: string; name: string; version: string; mode: string | undefined }> {
  const pinned: Array<{ port: string; name: string; version: string; mode: string | undefined }> = [];
  for (const [port, input] of Object.entries(spec.inputs ?? {})) {
    if (typeof input !== 'object' || input.path === undefined) continue;
    const parsed = tryParseInputPath(input.path);
    if (parsed.type !== 'success' || parsed.value.kind !== 'asset') continue;
    const ref = parsed.value.ref;
    if (ref.kind === 'versioned' && ref.registry === undefined)
      pinned.push({ port, name: ref.name, version: ref.version, mode: input.mode });
  }
  return pinned;
}
