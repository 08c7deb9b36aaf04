import { defineConfig } from 'vite'
import solid from 'vite-plugin-solid'

const serverPort = process.env.PORT ?? '8787'

export default defineConfig({
  root: 'client',
  plugins: [solid()],
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
