import { afterEach, describe, expect, it } from 'vitest'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, startTestServer } from './harness.ts'
import { largePng } from './media-samples.ts'

afterEach(cleanup)

/** A genuine PNG (its structure is checked on upload) of about `n` bytes. */
const png = (n: number) => largePng(n)

describe('media', () => {
  it('stores uploads by content, checks type and size, and serves byte ranges to members', async () => {
    const t = await authServer(undefined, { limits: { maxUploadBytes: 64 * 1024 } })
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shots')
    const viewer = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
    const upload = (token: string, body: Uint8Array, type: string, board = boardId) =>
      fetch(`${t.url}/api/media?board=${board}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body: body as Uint8Array<ArrayBuffer>,
      })

    const bytes = png(5000)
    const first = await upload(owner.token, bytes, 'image/png')
    expect(first.status).toBe(201)
    const { media } = (await first.json()) as {
      media: { hash: string; kind: string; bytes: number; url: string }
    }
    expect(media).toMatchObject({
      kind: 'image',
      bytes: bytes.byteLength,
      url: `/api/media/${media.hash}`,
    })
    expect(media.hash).toMatch(/^[0-9a-f]{64}$/)
    const again = (await (await upload(owner.token, bytes, 'image/png')).json()) as {
      media: { hash: string }
    }
    expect(again.media.hash).toBe(media.hash)

    const lies = await upload(
      owner.token,
      new TextEncoder().encode('not an image at all'),
      'image/png',
    )
    expect(lies.status).toBe(415)
    expect(((await lies.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    )
    expect((await upload(owner.token, bytes, 'application/pdf')).status).toBe(415)
    expect((await upload(owner.token, png(70 * 1024), 'image/png')).status).toBe(413)
    expect((await upload(viewer.token, bytes, 'image/png')).status).toBe(403)

    // The viewer can see it (member of the workspace), with a token in the query like an <img>.
    const whole = await fetch(`${t.url}${media.url}?token=${viewer.token}`)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes)
    const part = await fetch(`${t.url}${media.url}`, {
      headers: { authorization: `Bearer ${owner.token}`, range: 'bytes=8-15' },
    })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 8-15/${bytes.byteLength}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(8, 16))
    expect((await fetch(`${t.url}${media.url}`)).status).toBe(401)

    // Someone outside the workspace does not.
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const outsider = await invite(t, owner.token, other.body.workspace.id, 'editor', 'out')
    expect((await fetch(`${t.url}${media.url}?token=${outsider.token}`)).status).toBe(404)
  })

  it('needs a board the uploader can edit', async () => {
    const t = await startTestServer()
    const response = await fetch(`${t.url}/api/media?board=nope`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png(10),
    })
    expect(response.status).toBe(400)
  })
})
