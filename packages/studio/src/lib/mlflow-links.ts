/**
 * MLflow clients print links into MLflow's UI (`http://host/#/experiments/2/runs/abc`); pointed at
 * Cairn, those land on `/`. This maps such a hash to the studio's page for the same thing.
 */
export function studioPathForMlflowHash(hash: string, workspace: string): string | null {
  const m = /^#\/experiments\/(\d+)(?:\/runs\/([\w-]+))?/.exec(hash);
  if (!m) return null;
  const base = `/w/${encodeURIComponent(workspace)}`;
  return m[2] ? `${base}/runs/${m[2]}` : `${base}/experiments/${m[1]}`;
}
