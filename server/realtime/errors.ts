import { CloseCode } from '../../shared/protocol/close-codes.ts'

/** A socket-level refusal: the connection closes with this code and reason. */
export class ProtocolError extends Error {
  constructor(
    readonly code: CloseCode,
    message: string,
  ) {
    super(message)
    this.name = 'ProtocolError'
  }
}

export const malformed = (message: string) => new ProtocolError(CloseCode.malformed, message)
