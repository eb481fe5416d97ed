#!/usr/bin/env node
// The `cairn` command. Runs the bundle (dist/cairn.mjs, from `npm run build`) when it is newer than
// every source file, which starts fast; otherwise runs the TypeScript sources through tsx, so a
// checkout being edited never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bundle = join(root, 'dist', 'cairn.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  const packages = join(root, 'packages');
  const sources = readdirSync(packages)
    .map((name) => join(packages, name, 'src'))
    .filter((dir) => existsSync(dir));
  return statSync(bundle).mtimeMs >= Math.max(...sources.map(newestSource));
}

if (bundleIsFresh()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'packages', 'cli', 'src', 'main.ts')).href);
}
