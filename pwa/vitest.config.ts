import { defineConfig } from 'vitest/config';

// Unit tests of the app's pure modules (key mapping, stored records); no browser, no SvelteKit.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'pwa',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
