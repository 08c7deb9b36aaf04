import type { Doc } from 'yjs'

interface Stored {
  state: Uint8Array | null
  updates: Uint8Array[]
}
export declare function applyStored(
  doc: Doc,
  stored: { state: Uint8Array | null; updates: readonly Uint8Array[] },
  origin?: unknown,
): void
export declare function mergeStored(stored: Stored): Uint8Array
export declare function foldStored(stored: Stored): Uint8Array
export declare function provesMerged(state: Uint8Array, rows: readonly Uint8Array[]): boolean
export declare function foldAndProve(
  stored: Stored,
): { state: Uint8Array; stateVector: Uint8Array } | null
