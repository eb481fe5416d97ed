import type { Role } from '@cairn/core';

/**
 * The workspace a request path addresses, or null for paths outside any workspace:
 *   /api/v1/workspaces/:workspace/...            native API
 *   /workspaces/:workspace/(ajax-)api/2.0|3.0/... MLflow API, per workspace (MLFLOW_TRACKING_URI=…/workspaces/x)
 *   /(ajax-)api/2.0|3.0/...                       MLflow API, default workspace
 */
export function workspaceOfPath(path: string, defaultWorkspace: string): string | null {
  const native = /^\/api\/v1\/workspaces\/([^/]+)(?:\/|$)/.exec(path);
  if (native) return decodeSegment(native[1]!);
  const prefixed = /^\/workspaces\/([^/]+)\/(?:ajax-)?api\/[23]\.0\//.exec(path);
  if (prefixed) return decodeSegment(prefixed[1]!);
  if (/^\/(?:ajax-)?api\/[23]\.0\//.test(path)) return defaultWorkspace;
  return null;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * What a request needs in its workspace by default: reading needs reader, changing needs contributor.
 * MLflow's searches are POSTs that only read, so a POST to a `/search` path needs reader too. Routes
 * that need more (membership administration: owner) say so with `requireRole`.
 */
export function roleForRequest(method: string, path: string): Role {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'reader';
  if (method === 'POST' && /\/search$/.test(path)) return 'reader';
  return 'contributor';
}
