/**
 * How small files travel to a server many to a request (`POST blobs/batch`): which files go in batches
 * and how batches are cut. The CLI (upload-file-set.ts) and the studio's browser uploads share it; it
 * uses nothing of Node's.
 */

/** Files up to this size go in batches; bigger ones one to a request. */
export const BATCH_FILE_BYTES = 256 * 1024;
const BATCH_MAX_FILES = 1000;
const BATCH_MAX_BYTES = 16 * 1024 * 1024;
/** Batch requests worth keeping in flight at once. */
export const BATCHES_IN_FLIGHT = 2;

/** Cuts files into batches of at most 1000 files and 16 MiB, in the order given. */
export function groupForBatches<T extends { size: number }>(files: readonly T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length >= BATCH_MAX_FILES || (current.length > 0 && bytes + file.size > BATCH_MAX_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
