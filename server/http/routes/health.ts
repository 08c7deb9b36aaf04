import { Hono } from 'hono'
import type { Metrics } from '../../metrics.ts'

export interface Readiness {
  /** Problems that make the server not ready; empty when it is. */
  problems(): string[]
  /** What is missing but does not stop serving. */
  warnings(): string[]
}

/** Liveness checks nothing but the event loop; readiness checks what serving needs. */
export function healthRoutes(readiness: Readiness, metrics: Metrics) {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', (c) => {
    const problems = readiness.problems()
    const warnings = readiness.warnings()
    return problems.length === 0
      ? c.json({ ready: true, warnings })
      : c.json({ ready: false, problems, warnings }, 503)
  })
  app.get('/metrics', async (c) => {
    const { body, contentType } = await metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
  return app
}
