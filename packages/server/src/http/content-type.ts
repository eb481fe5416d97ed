import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.yaml': 'text/yaml',
  '.yml': 'text/yaml',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.py': 'text/x-python',
  '.parquet': 'application/vnd.apache.parquet',
};

/** The content type to serve a stored file with, guessed from its name as MLflow's server does. */
export function contentTypeFor(path: string): string {
  const name = path.split('/').pop() ?? '';
  if (name === 'MLmodel') return 'text/plain';
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}
