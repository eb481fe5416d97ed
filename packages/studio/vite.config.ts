import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// `npm run build` (scripts/build.mjs) builds into packages/studio/dist, which `cairn server` serves at `/`.
// `npx vite packages/studio` serves it with hot reload, sending API calls to the server named by
// CAIRN_STUDIO_API (default http://127.0.0.1:5000).
const api = process.env.CAIRN_STUDIO_API ?? 'http://127.0.0.1:5000';

/**
 * The SDK's Node-only helpers (download to a file, upload a local file) load `node:` modules lazily;
 * the studio never calls them, so those imports resolve to an empty module instead of Vite's warning.
 */
const nodeOnlyModules: Plugin = {
  name: 'cairn-node-only-modules',
  enforce: 'pre',
  resolveId: (id) => (id.startsWith('node:') ? '\0node-only' : null),
  load: (id) => (id === '\0node-only' ? 'export default {};' : null),
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [nodeOnlyModules, react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // One app chunk plus the charting library: the studio is small enough not to split per page yet.
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': api } },
});
