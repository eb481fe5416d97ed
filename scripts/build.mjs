// Bundles the `cairn` command (CLI + server, all @cairn packages) into dist/cairn.mjs with esbuild, so
// starting it loads one file instead of transpiling TypeScript at start-up. Third-party packages stay
// external and load from node_modules.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const started = Date.now();
rmSync('dist', { recursive: true, force: true });
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
console.log(`built dist/cairn.mjs in ${Date.now() - started} ms`);
