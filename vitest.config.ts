import solid from 'vite-plugin-solid'
import { defineConfig } from 'vitest/config'

const shared = { testTimeout: 30_000, hookTimeout: 30_000 }

export default defineConfig({
  test: {
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
