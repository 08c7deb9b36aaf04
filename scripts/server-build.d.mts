export declare function serverIsCurrent(): boolean
export declare function buildServerIfNeeded(log?: (line: string) => void): Promise<number>
export declare function pruneOldChunks(dir: string, written: Set<string>, now?: number): void
