/**
 * What every media repository must do (media-repo.ts), as one suite each family of stores
 * registers: `mediaRepoContract('SQLite', open)`. `open()` gives empty stores.
 */
import { describe, expect, it } from 'vitest'
import type { MediaInfo } from './media-repo.ts'
import type { Stores } from './stores.ts'

const picture: MediaInfo = { hash: 'a'.repeat(64), mime: 'image/png', kind: 'image', bytes: 1234 }

export function mediaRepoContract(name: string, open: () => Promise<Stores>): void {
  describe(`media contract: ${name}`, () => {
    it('records a file with the workspace it was uploaded into', async () => {
      const { media } = await open()
      expect(await media.get(picture.hash)).toBeUndefined()
      expect(await media.workspacesOf(picture.hash)).toEqual([])
      await media.record(picture, { userId: 'ann', workspaceId: 'w1' })
      expect(await media.get(picture.hash)).toEqual(picture)
      expect(await media.workspacesOf(picture.hash)).toEqual(['w1'])
    })

    it('keeps the first row of the same bytes uploaded again and adds the workspace, once', async () => {
      const { media } = await open()
      await media.record(picture, { userId: 'ann', workspaceId: 'wa' })
      await media.record({ ...picture, mime: 'image/webp' }, { userId: 'bob', workspaceId: 'Wb' })
      await media.record(picture, { userId: 'ann', workspaceId: 'wa' })
      expect(await media.get(picture.hash)).toEqual(picture)
      // Ids in byte order ('W' before 'w').
      expect(await media.workspacesOf(picture.hash)).toEqual(['Wb', 'wa'])
    })

    it('keeps one row when the same file is recorded many times at once', async () => {
      const { media } = await open()
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          media.record(picture, { userId: `u${i}`, workspaceId: `w${i % 3}` }),
        ),
      )
      expect(await media.get(picture.hash)).toEqual(picture)
      expect(await media.workspacesOf(picture.hash)).toEqual(['w0', 'w1', 'w2'])
    })
  })
}
