/**
 * Setup, sign-in and sessions (docs/product.md, "HTTP API"). The refresh token travels only in an
 * HttpOnly SameSite cookie scoped to /api/auth; the access token goes in the JSON body.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { loginRequest, setupRequest, type SessionResponse } from '../../../shared/api.ts'
import type { Session, AuthService } from '../../auth/service.ts'
import { jsonBody } from '../errors.ts'

export const REFRESH_COOKIE = 'loupe_refresh'

/** The caller's address, for rate limits (the socket's peer; no proxy headers are trusted). */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

/** Sets the refresh cookie and returns the body every session-creating route answers. */
export function sessionResponse(c: Context, session: Session): SessionResponse {
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    path: '/api/auth',
    expires: new Date(session.refreshExpiresAt),
  })
  return { user: session.user, accessToken: session.accessToken, expiresAt: session.expiresAt }
}

export function authRoutes(service: AuthService) {
  const app = new Hono()

  // Whether the one-time owner setup is still open (the web app shows setup or sign-in).
  app.get('/setup', async (c) => c.json({ needed: !(await service.ownerExists()) }))

  app.post('/setup', async (c) => {
    const body = await jsonBody(c, setupRequest)
    const session = await service.setup(body, clientAddress(c))
    return c.json(sessionResponse(c, session), 201)
  })

  app.post('/auth/login', async (c) => {
    const body = await jsonBody(c, loginRequest)
    const session = await service.login(body.name, body.password, clientAddress(c))
    return c.json(sessionResponse(c, session))
  })

  app.post('/auth/refresh', async (c) => {
    const session = await service.refresh(getCookie(c, REFRESH_COOKIE))
    return c.json(sessionResponse(c, session))
  })

  app.post('/auth/logout', async (c) => {
    await service.logout(getCookie(c, REFRESH_COOKIE))
    deleteCookie(c, REFRESH_COOKIE, { path: '/api/auth' })
    return c.json({ ok: true })
  })

  return app
}
