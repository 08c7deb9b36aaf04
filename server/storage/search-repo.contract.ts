/**
 * What every search index must do (search-repo.ts), as one suite each family of stores
 * registers: `searchRepoContract('SQLite', open)`. `open()` gives empty stores. Tokenizers
 * differ in details (FTS5 also folds accents); this holds both to what people rely on.
 */
import { describe, expect, it } from 'vitest'
import { parseSearch } from '../search/query.ts'
import type { SearchEntry } from './search-repo.ts'
import type { Stores } from './stores.ts'

const entry = (entityId: string, text: string, field = 'title'): SearchEntry => ({
  entityType: 'task',
  entityId,
  field,
  text,
})

const vector = Uint8Array.from([1, 2, 3])

export function searchRepoContract(name: string, open: () => Promise<Stores>): void {
  describe(`search index contract: ${name}`, () => {
    /** Keys of what `text` finds among `boards`. */
    const finder =
      (stores: Stores) =>
      async (text: string, boards: string[] = ['b1']): Promise<string[]> => {
        const query = parseSearch(text)
        if (!query) throw new Error(`nothing to search in ${text}`)
        const results = await stores.search.search(query, boards, 20)
        return results.map((r) => `${r.boardId}/${r.entityId}/${r.field}`)
      }

    it('finds words as prefixes, whatever their case, only where every term matches', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard(
        'b1',
        [
          entry('t1', 'Fix the Zebra crossing'),
          entry('t1', 'paint fresh stripes', 'description'),
          entry('t2', 'zebra stripes everywhere'),
        ],
        vector,
      )
      expect((await find('zeb')).sort()).toEqual(['b1/t1/title', 'b1/t2/title'])
      expect(await find('ZEBRA cross')).toEqual(['b1/t1/title'])
      expect(await find('stripe')).toHaveLength(2)
      expect(await find('zebra paint')).toEqual([])
      expect(await find('ebra')).toEqual([])
    })

    it('matches a quoted phrase in order, and an unclosed one as a prefix', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard(
        'b1',
        [entry('t1', 'the quick brown fox'), entry('t2', 'brown the quick')],
        vector,
      )
      expect(await find('"quick brown"')).toEqual(['b1/t1/title'])
      expect(await find('"quick bro')).toEqual(['b1/t1/title'])
      expect(await find('"quick bro"')).toEqual([])
    })

    it('finds the words inside a file name, a path or an address, and the name as typed', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard(
        'b1',
        [
          entry('m1', 'sunset-over-harbour.png', 'name'),
          entry('m2', 'see shots/night/final_v2.mov on cdn.example.org', 'name'),
        ],
        vector,
      )
      expect(await find('harbour')).toEqual(['b1/m1/name'])
      expect(await find('harbour.png')).toEqual(['b1/m1/name'])
      expect(await find('night final')).toEqual(['b1/m2/name'])
      expect(await find('example')).toEqual(['b1/m2/name'])
    })

    it('searches for what would be operators as words, and never fails on them', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard(
        'b1',
        [entry('t1', 'title: NEAR the "quoted" OR-gate & it’s a\\b, see http://x.org/a\'b')],
        vector,
      )
      for (const text of [
        '"quoted"',
        'NEAR',
        'title:',
        'OR',
        'gate',
        'or-gate',
        'or-ga',
        'near(the',
        '"quot',
        '"the quoted',
        'the OR gate',
        "it's",
        "x.org/a'b",
      ])
        expect(await find(text), text).toEqual(['b1/t1/title'])
      for (const text of ['AND (', 'k"*^', 'NOT', '{title}: k', '-k', 'c OR d)', "'k':*", 'y & !z'])
        expect(await find(text), text).toEqual([])
    })

    it('looks only in the boards it is given', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard('b1', [entry('t1', 'wombat one')], vector)
      await stores.search.replaceBoard('b2', [entry('t1', 'wombat two')], vector)
      expect((await find('wombat', ['b1', 'b2'])).sort()).toEqual(['b1/t1/title', 'b2/t1/title'])
      expect(await find('wombat', ['b2'])).toEqual(['b2/t1/title'])
      expect(await find('wombat', [])).toEqual([])
    })

    it('moves the state vectors of indexed boards only, their rows untouched', async () => {
      const stores = await open()
      const find = finder(stores)
      await stores.search.replaceBoard('b1', [entry('t1', 'wombat')], vector)
      await stores.search.replaceBoard('b2', [entry('t1', 'numbat')], vector)
      await stores.search.saveVectors(
        new Map([
          ['b1', Uint8Array.from([7])],
          ['b9', Uint8Array.from([8])],
        ]),
      )
      expect(await stores.search.indexedVector('b1')).toEqual(Uint8Array.from([7]))
      expect(await stores.search.indexedVector('b2')).toEqual(vector)
      expect(await stores.search.indexedVector('b9')).toBeNull()
      expect(await find('wombat')).toEqual(['b1/t1/title'])
    })

    it('keeps exactly the rows a board was last indexed with, and the state vector they came from', async () => {
      const stores = await open()
      const find = finder(stores)
      expect(await stores.search.indexedVector('b1')).toBeNull()
      await stores.search.replaceBoard(
        'b1',
        [entry('t1', 'giraffe'), entry('t2', 'okapi'), entry('t3', 'hippo')],
        vector,
      )
      await stores.search.replaceBoard(
        'b1',
        // t2 changed, t3 gone, t4 new; one key twice keeps the last.
        [entry('t1', 'giraffe'), entry('t2', 'zebra'), entry('t4', 'rhino'), entry('t4', 'tapir')],
        Uint8Array.from([9]),
      )
      expect(await find('giraffe')).toEqual(['b1/t1/title'])
      expect(await find('okapi')).toEqual([])
      expect(await find('zebra')).toEqual(['b1/t2/title'])
      expect(await find('hippo')).toEqual([])
      expect(await find('rhino')).toEqual([])
      expect(await find('tapir')).toEqual(['b1/t4/title'])
      expect(await stores.search.indexedVector('b1')).toEqual(Uint8Array.from([9]))
    })

    it('says where it matched: a short text whole, a long one cut around the match with "…"', async () => {
      const stores = await open()
      const long = `${'lorem ipsum dolor '.repeat(30)}the hidden marmalade jar${' sit amet'.repeat(30)}`
      await stores.search.replaceBoard(
        'b1',
        [entry('t1', 'Fix the zebra crossing'), entry('t2', long)],
        vector,
      )
      const [short] = await stores.search.search(parseSearch('zeb cross')!, ['b1'], 5)
      expect(short?.snippet).toBe('Fix the zebra crossing')
      expect(short?.highlights.map(([s, e]) => short.snippet.slice(s, e))).toEqual([
        'zebra',
        'crossing',
      ])
      const [cut] = await stores.search.search(parseSearch('marmal')!, ['b1'], 5)
      expect(cut?.snippet.startsWith('…')).toBe(true)
      expect(cut?.snippet.endsWith('…')).toBe(true)
      expect(cut && cut.snippet.length < long.length / 4).toBe(true)
      expect(cut?.highlights.map(([s, e]) => cut.snippet.slice(s, e))).toEqual(['marmalade'])
    })

    it('ranks a text where a word comes often above one where it comes once', async () => {
      const stores = await open()
      await stores.search.replaceBoard(
        'b1',
        [entry('t1', 'pear apple banana cherry plum'), entry('t2', 'pear pear pear')],
        vector,
      )
      const results = await stores.search.search(parseSearch('pear')!, ['b1'], 1)
      expect(results.map((r) => r.entityId)).toEqual(['t2'])
    })
  })
}
