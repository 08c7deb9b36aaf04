export declare function clientIsCurrent(): boolean
export declare function buildClientIfNeeded(log?: (line: string) => void): number
