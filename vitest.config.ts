import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs in seconds with no services; `integration` expects the services that
// scripts/test.sh starts (PostgreSQL, SeaweedFS, the Python venv) and is told where they are by env.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
