/**
 * Access tokens: HS256 JWTs that live 5 minutes (docs/product.md). Verification pins the
 * algorithm, issuer and audience — a header cannot choose `none` or another algorithm — and
 * allows a few seconds of clock skew on `exp`/`nbf`.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { errors, jwtVerify, SignJWT } from 'jose'

export const ACCESS_TOKEN_SECONDS = 5 * 60
const ISSUER = 'loupe'
const AUDIENCE = 'loupe'
const SKEW_SECONDS = 5

/** The signing secret: LOUPE_JWT_SECRET, or one generated once into the data folder. */
export function loadSecret(dataDir: string, configured: string | undefined): Uint8Array {
  if (configured) return new TextEncoder().encode(configured)
  const file = join(dataDir, 'jwt-secret')
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 })
    chmodSync(file, 0o600)
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim())
}

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {}

  /** `epoch`: the user's token epoch now (a password reset bumps it, ending older tokens). */
  async issue(userId: string, epoch = 0): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(this.now() / 1000)
    const expiresAt = issuedAt + ACCESS_TOKEN_SECONDS
    const token = await new SignJWT({ ep: epoch })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.secret)
    return { token, expiresAt: expiresAt * 1000 }
  }

  /** The user and epoch a valid token names, or null for anything else (never throws). */
  async verify(token: string): Promise<{ userId: string; epoch: number } | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: SKEW_SECONDS,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'sub'],
      })
      if (typeof payload.sub !== 'string') return null
      // Tokens from before epochs existed carry none: they belong to epoch 0.
      const epoch = typeof payload.ep === 'number' ? payload.ep : 0
      return { userId: payload.sub, epoch }
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return null
      throw error
    }
  }
}
