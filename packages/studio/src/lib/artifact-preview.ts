/** How the artifacts browser previews a file, decided by its name. */
export type PreviewKind = 'json' | 'yaml' | 'csv' | 'tsv' | 'image' | 'text' | 'binary';

const TEXT = new Set([
  'txt',
  'log',
  'md',
  'py',
  'sh',
  'r',
  'sql',
  'toml',
  'ini',
  'cfg',
  'conf',
  'xml',
  'html',
  'js',
  'ts',
  'java',
  'c',
  'h',
  'cpp',
  'go',
  'rs',
  'ipynb',
  'requirements',
  'env',
  'out',
  'err',
  'mlmodel',
]);
const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp']);
const TEXT_NAMES = new Set(['MLmodel', 'Dockerfile', 'Makefile', 'LICENSE', 'README', 'requirements.txt']);

export function previewKind(path: string): PreviewKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (TEXT_NAMES.has(name)) return name === 'MLmodel' ? 'yaml' : 'text';
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv') return 'tsv';
  if (IMAGES.has(ext)) return 'image';
  if (TEXT.has(ext)) return 'text';
  return 'binary';
}

export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  bmp: 'image/bmp',
};

export function imageType(path: string): string {
  return IMAGE_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether bytes look like text (no NUL in the first 8 KiB), for files whose name says nothing. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return false;
  return true;
}

/** JSON pretty-printed, or null when the text is not (complete) JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}
