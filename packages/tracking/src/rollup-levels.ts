/**
 * Bucket widths (in steps) of the metric rollup levels. Level L summarises steps in buckets of
 * width ROLLUP_WIDTHS[L]; each level is 16× coarser than the one below, so any chart range finds a
 * level at which it spans between 1× and 16× the buckets it asks for.
 */
export const ROLLUP_WIDTHS = [64, 1024, 16384, 262144, 4194304] as const;

export const bucketOf = (step: number, level: number): number => Math.floor(step / ROLLUP_WIDTHS[level]!);
