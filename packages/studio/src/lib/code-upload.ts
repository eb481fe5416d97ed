import { IGNORE_FILES, IgnoreRules } from '@cairn/fileset/ignore-rules';
import type { CairnClient } from '@cairn/sdk';
import { hashFiles, type PickedFile, type TransferProgress, uploadMissing } from './blob-upload.js';
import { sha256Hex, sortManifestEntries } from './data-manifest.js';
import { formatBytes } from './format.js';

/**
 * A job's `code` folder picked in the browser, snapshotted the way `cairn job create` does: the same
 * ignore rules (@cairn/fileset's own `IgnoreRules`, so the two cannot drift), the contents the
 * workspace lacks uploaded, and the snapshot manifest, byte for byte what `serializeManifest` writes
 * (the unit test proves it), stored as a blob whose sha256 is the `snapshotId` the job is submitted with.
 */

/**
 * The manifest mode of every file uploaded from a browser. A browser does not say whether a file is
 * executable, so each is recorded as a regular file (0o644, @cairn/fileset's REGULAR_MODE), what the
 * CLI records for a file without an x bit. A script the command runs directly (`./run.sh`) needs
 * `bash run.sh` instead, or the CLI.
 */
export const BROWSER_FILE_MODE = 0o644;

/** What a browser can reasonably hash and send; the CLI has no such limits. */
export interface CodeLimits {
  maxFiles: number;
  /** All files together, after the ignore rules. */
  maxBytes: number;
  /** One file (it is held in memory while it is hashed). */
  maxFileBytes: number;
}

export const CODE_LIMITS: CodeLimits = {
  maxFiles: 10_000,
  maxBytes: 1024 ** 3,
  maxFileBytes: 256 * 1024 ** 2,
};

export interface CodeSelection {
  /** The files the snapshot takes, sorted by path. */
  files: PickedFile[];
  /** Paths left out by the ignore files or because they are under `.git`. */
  ignored: string[];
}

/**
 * Applies the CLI's rules to the files a folder pick gave: `.gitignore`, `.amlignore` and
 * `.cairnignore` in every folder (deeper folders' rules win, `!` re-includes) and `.git` always
 * skipped. It walks the picked paths as @cairn/fileset's `walkFolder` walks a disk, so a folder that is
 * ignored hides everything beneath it, its ignore files included.
 */
export async function selectCodeFiles(picked: readonly PickedFile[]): Promise<CodeSelection> {
  const ignoreNames = new Set<string>(IGNORE_FILES);
  const root: Folder = { path: '', folders: new Map(), files: [] };
  const ignoreTexts = new Map<string, string>();
  for (const p of picked) {
    const segments = p.path.split('/');
    let folder = root;
    for (const segment of segments.slice(0, -1)) {
      const path = folder.path === '' ? segment : `${folder.path}/${segment}`;
      let child = folder.folders.get(segment);
      if (!child) {
        child = { path, folders: new Map(), files: [] };
        folder.folders.set(segment, child);
      }
      folder = child;
    }
    folder.files.push(p);
    if (ignoreNames.has(segments.at(-1) ?? '')) ignoreTexts.set(p.path, await p.file.text());
  }
  const files: PickedFile[] = [];
  const ignored: string[] = [];
  const walk = (folder: Folder, parentRules: IgnoreRules) => {
    const texts = IGNORE_FILES.map((name) =>
      ignoreTexts.get(folder.path === '' ? name : `${folder.path}/${name}`),
    ).filter((t) => t !== undefined);
    const rules = parentRules.enter(folder.path, texts);
    for (const file of folder.files) {
      if (rules.ignores(file.path, false)) ignored.push(file.path);
      else files.push(file);
    }
    for (const child of folder.folders.values()) {
      if (rules.ignores(child.path, true)) ignored.push(...filesUnder(child).map((f) => f.path));
      else walk(child, rules);
    }
  };
  walk(root, IgnoreRules.empty());
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  ignored.sort();
  return { files, ignored };
}

interface Folder {
  path: string;
  folders: Map<string, Folder>;
  files: PickedFile[];
}

const filesUnder = (folder: Folder): PickedFile[] => [
  ...folder.files,
  ...[...folder.folders.values()].flatMap(filesUnder),
];

/** Why these files cannot be uploaded from the browser, in words; null when they can. */
export function codeLimitProblem(
  files: readonly PickedFile[],
  limits: CodeLimits = CODE_LIMITS,
): string | null {
  const useCli = 'or submit the job with `cairn job create -f job.yml`, which has no such limit';
  if (files.length === 0) {
    return 'The code folder has no files to upload (all of them are ignored, or it is empty); pick another folder';
  }
  if (files.length > limits.maxFiles) {
    return `The code folder has ${files.length} files after the ignore rules, more than the ${limits.maxFiles} a browser upload takes: add what the job does not need (data, .venv, node_modules) to .gitignore or .cairnignore, ${useCli}`;
  }
  const big = files.find((f) => f.file.size > limits.maxFileBytes);
  if (big) {
    return `'${big.path}' is ${formatBytes(big.file.size)}, more than the ${formatBytes(limits.maxFileBytes)} a browser upload takes for one file: register it as a data asset and pass it as an input, ignore it in .cairnignore, ${useCli}`;
  }
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  if (total > limits.maxBytes) {
    return `The code folder holds ${formatBytes(total)} after the ignore rules, more than the ${formatBytes(limits.maxBytes)} a browser upload takes: ignore large files in .cairnignore, ${useCli}`;
  }
  return null;
}

export interface SnapshotManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

/** Sorts and checks the entries, and writes the snapshot manifest (format 1) and its sha256. */
export async function buildSnapshotManifest(
  entries: readonly SnapshotManifestEntry[],
): Promise<{ id: string; bytes: Uint8Array }> {
  const sorted = sortManifestEntries(entries);
  const parts = sorted.map(
    (e) =>
      `{"path":${JSON.stringify(e.path)},"size":${e.size},"sha256":"${e.sha256}","mode":${BROWSER_FILE_MODE}}`,
  );
  const bytes = new TextEncoder().encode(`{"version":1,"entries":[${parts.join(',')}]}`);
  return { id: await sha256Hex(bytes), bytes };
}

export interface CodeUploadProgress extends TransferProgress {
  phase: 'hashing' | 'uploading';
}

export interface CodeUploadResult {
  snapshotId: string;
  files: number;
  /** Distinct contents the workspace lacked and that were sent. */
  uploaded: number;
  ignored: number;
}

/** The error of a code upload, saying what failed and what to do; `cause` keeps the original. */
export class CodeUploadError extends Error {
  override readonly name = 'CodeUploadError';
}

/**
 * Selects (ignore rules), checks (limits), hashes and uploads a picked code folder; the result's
 * `snapshotId` goes into the job's submit request. Errors are CodeUploadErrors in words.
 */
export async function uploadCodeFolder(
  client: Pick<CairnClient, 'blobs'>,
  picked: readonly PickedFile[],
  onProgress: (progress: CodeUploadProgress) => void = () => {},
  limits: CodeLimits = CODE_LIMITS,
): Promise<CodeUploadResult> {
  const { files, ignored } = await selectCodeFiles(picked);
  const problem = codeLimitProblem(files, limits);
  if (problem) throw new CodeUploadError(problem);
  let hashed: Awaited<ReturnType<typeof hashFiles>>;
  try {
    hashed = await hashFiles(files, (p) => onProgress({ phase: 'hashing', ...p }));
  } catch (cause) {
    throw new CodeUploadError(
      `Reading the code folder failed (${messageOf(cause)}); the files may have changed or moved since they were picked: pick the folder again`,
      { cause },
    );
  }
  let manifest: { id: string; bytes: Uint8Array };
  try {
    manifest = await buildSnapshotManifest(hashed);
  } catch (cause) {
    throw new CodeUploadError(`The code folder cannot be snapshotted: ${messageOf(cause)}`, { cause });
  }
  try {
    const sent = await uploadMissing(client, hashed, manifest, (p) =>
      onProgress({ phase: 'uploading', ...p }),
    );
    return { snapshotId: manifest.id, files: files.length, uploaded: sent.uploaded, ignored: ignored.length };
  } catch (cause) {
    throw new CodeUploadError(
      `Uploading the code folder failed: ${messageOf(cause)}. Files already sent are kept, so submitting again sends only the rest`,
      { cause },
    );
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
