#!/usr/bin/env bash
# Prepares .gpucheck/ (git-ignored through .git/info/exclude) for the GPU check on a machine that has
# a GPU but no Node.js or network: the node binary (xz), a bundle of scripts/device/gpu-check.ts, and
# the native better-sqlite3 module. Then, on that machine, from the repo root:
#   mkdir -p /tmp/n && xz -dc .gpucheck/node.xz > /tmp/n/node && chmod +x /tmp/n/node &&
#   cd .gpucheck && /tmp/n/node gpu-check.mjs
# The check submits a job asking for one GPU to a local compute pool and expects torch to see it
# through CUDA_VISIBLE_DEVICES.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpucheck/' .git/info/exclude || echo '/.gpucheck/' >> .git/info/exclude
rm -rf .gpucheck && mkdir -p .gpucheck/node_modules
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .gpucheck/node.xz
node -e "
require('esbuild').build({
  entryPoints: { 'gpu-check': 'scripts/device/gpu-check.ts' }, outdir: '.gpucheck', outExtension: { '.js': '.mjs' },
  splitting: true, chunkNames: 'chunks/[name]-[hash]', bundle: true, platform: 'node', format: 'esm', target: 'node20',
  external: ['better-sqlite3', 'pg', '@aws-sdk/*'],
  banner: { js: \"import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);\" },
  logLevel: 'warning',
})"
cp -r node_modules/better-sqlite3 node_modules/bindings node_modules/file-uri-to-path .gpucheck/node_modules/
rm -rf .gpucheck/node_modules/better-sqlite3/{src,deps,build/Release/obj,build/Release/obj.target,build/deps}
du -sh .gpucheck
