// Bundles the `cairn` command (CLI + server, all @cairn packages) into dist/cairn.mjs with esbuild, so
// starting it loads one file instead of transpiling TypeScript at start-up. Third-party packages stay
// external and load from node_modules.
import { existsSync, rmSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { build as buildStudio } from 'vite';

const started = Date.now();
rmSync('dist', { recursive: true, force: true });
// The web studio (packages/studio, Vite + React) into packages/studio/dist, which the server serves at
// `/` when run from source; a copy goes to dist/studio for the bundle (packages/server/src/studio).
await buildStudio({ configFile: 'packages/studio/vite.config.ts', logLevel: 'warn' });
await cp('packages/studio/dist', 'dist/studio', { recursive: true });
await build({
  entryPoints: { cairn: 'packages/cli/src/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Dynamic imports (the AWS SDK, the PostgreSQL driver) become chunks loaded only when used.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-dependencies',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@cairn/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});

// Files the code finds through `new URL('./x', import.meta.url)`: in the bundle that URL is
// dist/cairn.mjs, so each goes where its relative path lands from there.
const jobs = 'packages/jobs/src';
const scripts = [
  [`${jobs}/launcher/cairn-launch.sh`, 'dist/cairn-launch.sh'], // launcher/index.ts: ./cairn-launch.sh
  [`${jobs}/environments/materialize-env.sh`, 'dist/materialize-env.sh'], // materialize-environment.ts
];
for (const [from, to] of scripts) {
  await copyFile(from, to);
  await chmod(to, 0o755);
}
// environments/curated-environments.ts: ./curated/
await mkdir('dist/curated', { recursive: true });
for (const name of await readdir(`${jobs}/environments/curated`)) {
  if (name.endsWith('.yml'))
    await copyFile(join(jobs, 'environments/curated', name), join('dist/curated', name));
}
// fileset/hash-pool.ts: ./hash-worker.mjs (a worker thread's file, plain JavaScript with node: imports only)
await copyFile('packages/fileset/src/hash-worker.mjs', 'dist/hash-worker.mjs');
// data/samples/sample-datasets.ts: ./files/ (the sample datasets)
await cp('packages/data/src/samples/files', 'dist/files', { recursive: true });
// Every asset lookup left in the output must resolve from the file it ended up in (a chunk lives in
// dist/chunks/, so a lookup moved there would miss): fail the build rather than a job at run time.
for (const file of ['dist/cairn.mjs', ...(await readdir('dist/chunks')).map((f) => `dist/chunks/${f}`)]) {
  if (!file.endsWith('.mjs')) continue;
  for (const [, rel] of (await readFile(file, 'utf8')).matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)) {
    if (!existsSync(join(dirname(file), rel)))
      throw new Error(`${file} looks up ${rel}, which the build did not copy`);
  }
}
console.log(`built dist/cairn.mjs and the studio in ${Date.now() - started} ms`);
