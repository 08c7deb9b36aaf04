export declare const DEFAULT_CHROMIUM: string
export declare const EMOJI_FONT: string
export declare function chromiumPath(env?: Record<string, string | undefined>): string
export declare function setupBrowser(options?: {
  env?: Record<string, string | undefined>
  log?: (line: string) => void
  emojiFont?: string
}): void
