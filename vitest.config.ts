// Root test configuration: one run over every package, ending with the `N passed, N failed` line CI reads.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['relay', 'daemon', 'client-sdk', 'cli', 'pwa', 'e2e'],
    reporters: ['default', './e2e/support/summary-reporter.ts'],
  },
});
