import type { Environment } from '@cairn/sdk';

/** Environments grouped by name (sorted), each with its versions newest first. */
export interface EnvironmentGroup {
  name: string;
  versions: Environment[];
}

/** `10` after `9`, `1.10` after `1.9`; text parts compared as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    const c = nx !== null && ny !== null ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

export function groupEnvironments(environments: readonly Environment[]): EnvironmentGroup[] {
  const groups = new Map<string, Environment[]>();
  for (const e of environments) groups.set(e.name, [...(groups.get(e.name) ?? []), e]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, versions]) => ({
      name,
      versions: versions.sort((a, b) => compareVersions(b.version, a.version) || b.createdAt - a.createdAt),
    }));
}

/** How a version is built, in a few words: `pip: numpy, pandas +3`, `image python:3.11`, `conda file`. */
export function environmentSummary(spec: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof spec.image === 'string') parts.push(`image ${spec.image}`);
  if (Array.isArray(spec.pip)) {
    const pip = spec.pip.map(String);
    parts.push(`pip: ${pip.slice(0, 3).join(', ')}${pip.length > 3 ? ` +${pip.length - 3}` : ''}`);
  }
  if (spec.conda_file !== undefined) parts.push('conda file');
  if (spec.build !== undefined) parts.push('build context');
  if (typeof spec.python === 'string') parts.push(`python ${spec.python}`);
  return parts.join(' · ') || 'empty';
}
