/** `GET /api/search` (docs/product.md, "Search"). */
import { Hono } from 'hono'
import { searchQuery } from '../../../shared/api.ts'
import { badRequest } from '../../errors.ts'
import type { Search } from '../../search/search.ts'
import type { AppEnv } from '../context.ts'

export function searchRoutes(deps: { search: Search }) {
  const app = new Hono<AppEnv>()
  app.get('/search', async (c) => {
    const parsed = searchQuery.safeParse(c.req.query())
    if (!parsed.success) {
      throw badRequest('invalid query', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      })
    }
    return c.json(await deps.search.search(c.var.user, parsed.data))
  })
  return app
}
