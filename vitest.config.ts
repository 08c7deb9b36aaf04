import { availableParallelism } from 'node:os'
import solid from 'vite-plugin-solid'
import { defineConfig } from 'vitest/config'

const shared = { testTimeout: 30_000, hookTimeout: 30_000 }

export default defineConfig({
  test: {
    // Most test files wait on sockets, child processes and a browser rather than compute, so
    // two files at a time on a two-core machine (vitest's default there is one: cores − 1)
    // halves the run: 409 s against 789 s for the whole suite on this machine kind.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          ...shared,
          name: 'server',
          include: [
            'test/**/*.test.ts',
            'shared/**/*.test.ts',
            'server/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        // The web client: Solid compiled for the browser, in jsdom.
        plugins: [solid()],
        resolve: { conditions: ['development', 'browser'] },
        test: {
          ...shared,
          name: 'client',
          include: ['client/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['client/test-setup.ts'],
        },
      },
    ],
  },
})
