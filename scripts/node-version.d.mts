export declare function requiredNode(): string
export declare function nodeVersionProblem(version: string, range: string): string | null
