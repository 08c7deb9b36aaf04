import { gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import solid from 'vite-plugin-solid'

const serverPort = process.env.PORT ?? '8787'

/**
 * The JavaScript a first screen may load, gzipped (issue 12): the entry, the shell it loads
 * (boot.tsx) and their imports; a board's code loads later (at once, beside it, on a board).
 */
export const FIRST_SCREEN_BUDGET = 250 * 1024

/**
 * Reports, after every build, the gzipped JavaScript of the first screen (the entry and its
 * static imports) and of each lazily loaded chunk, and fails the build past the budget. It also
 * writes asset-list.json, every built file, so the service worker can keep them all for offline.
 */
function budget(): Plugin {
  return {
    name: 'loupe-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((f) => f.type === 'chunk')
      const byName = new Map(chunks.map((c) => [c.fileName, c]))
      const entry = chunks.find((c) => c.isEntry)
      if (!entry) return
      const first = new Set<string>()
      const visit = (name: string) => {
        if (first.has(name)) return
        first.add(name)
        for (const dep of byName.get(name)?.imports ?? []) visit(dep)
      }
      visit(entry.fileName)
      // The entry is tiny and loads the shell (boot.tsx) at once: that is first-screen code.
      for (const c of chunks) if (c.facadeModuleId?.endsWith('/src/boot.tsx')) visit(c.fileName)
      const gz = (code: string) => gzipSync(code).length
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
      const firstBytes = [...first].reduce((sum, name) => sum + gz(byName.get(name)?.code ?? ''), 0)
      const later = chunks.filter((c) => !first.has(c.fileName))
      const lines = [
        `JavaScript, gzipped: first screen ${kb(firstBytes)} of ${kb(FIRST_SCREEN_BUDGET)} (${[...first].join(', ')})`,
        ...later.map((c) => `  loaded later: ${c.fileName} ${kb(gz(c.code))}`),
      ]
      console.log(`\n${lines.join('\n')}\n`)
      if (firstBytes > FIRST_SCREEN_BUDGET)
        this.error(
          `the first screen's JavaScript is ${kb(firstBytes)} gzipped, over ${kb(FIRST_SCREEN_BUDGET)}`,
        )
      this.emitFile({
        type: 'asset',
        fileName: 'asset-list.json',
        source: JSON.stringify(
          Object.keys(bundle)
            .filter((f) => f.startsWith('assets/'))
            .map((f) => `/${f}`),
        ),
      })
    },
  }
}

export default defineConfig({
  root: 'client',
  plugins: [solid(), budget()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    // `npm run dev`: the Vite dev server proxies the API and sockets to the Loupe server.
    proxy: {
      '/api': `http://127.0.0.1:${serverPort}`,
      '/ws': { target: `ws://127.0.0.1:${serverPort}`, ws: true },
      '/healthz': `http://127.0.0.1:${serverPort}`,
    },
  },
})
