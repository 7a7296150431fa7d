import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'cli',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    // clipanion's ESM build imports a directory, which only Vite's resolver (not Node's) accepts.
    server: { deps: { inline: ['clipanion'] } },
    hookTimeout: 30_000,
  },
});
