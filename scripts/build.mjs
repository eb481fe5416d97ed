// Bundles the `cairn` command (CLI + server, all @cairn packages) into dist/cairn.mjs with esbuild, so
// starting it loads one file instead of transpiling TypeScript at start-up. Third-party packages stay
// external and load from node_modules.
import { build } from 'esbuild';

const started = Date.now();
await build({
  entryPoints: ['packages/cli/src/main.ts'],
  outfile: 'dist/cairn.mjs',
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
