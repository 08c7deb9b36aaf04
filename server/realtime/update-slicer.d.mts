export declare function sliceUpdate(
  update: Uint8Array,
  maxStructs: number,
): { slices: Uint8Array[]; structs: number; deletes: number }
