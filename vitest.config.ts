import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'dist/**'],
    pool: 'forks',
    setupFiles: ['test/setup/ink-not-in-ci.ts', 'test/setup/deterministic-properties.ts'],
    // oclif's this.log goes through console.log; vitest's interception would swallow it.
    disableConsoleIntercept: true,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
