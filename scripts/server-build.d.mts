export declare function serverIsCurrent(): boolean
export declare function buildServerIfNeeded(log?: (line: string) => void): Promise<number>
