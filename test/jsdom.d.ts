/** The little of jsdom (a dev dependency, without its own types) that the report test uses. */
declare module 'jsdom' {
  export class JSDOM {
    constructor(html: string)
    readonly window: { document: Document }
  }
}
