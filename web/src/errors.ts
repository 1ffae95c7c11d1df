/**
 * Every failure recwasm reports is a `RecwasmError` with a stable `code`; the codes are the
 * same ones the C++ core uses (`recwasm::ErrorCode`), plus `NOT_LOADED` for calls made before
 * {@link loadRecwasm} finished and `DISPOSED` for objects used after `dispose()`.
 */
export type RecwasmErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_USER'
  | 'UNKNOWN_ITEM'
  | 'NOT_FITTED'
  | 'PARSE_ERROR'
  | 'CORRUPT_SNAPSHOT'
  | 'UNSUPPORTED_VERSION'
  | 'CANCELLED'
  | 'TRAINING_DIVERGED'
  | 'OUT_OF_MEMORY'
  | 'UNSUPPORTED'
  | 'INTERNAL'
  | 'NOT_LOADED'
  | 'DISPOSED';

/** Codes in the order of their numbers in the C++ core (1-based). */
const CORE_CODES: readonly RecwasmErrorCode[] = [
  'INVALID_ARGUMENT',
  'UNKNOWN_USER',
  'UNKNOWN_ITEM',
  'NOT_FITTED',
  'PARSE_ERROR',
  'CORRUPT_SNAPSHOT',
  'UNSUPPORTED_VERSION',
  'CANCELLED',
  'TRAINING_DIVERGED',
  'OUT_OF_MEMORY',
  'UNSUPPORTED',
  'INTERNAL',
];

export class RecwasmError extends Error {
  /** Stable, documented; switch on this rather than on the message. */
  readonly code: RecwasmErrorCode;

  constructor(code: RecwasmErrorCode, message: string) {
    super(message);
    this.name = 'RecwasmError';
    this.code = code;
  }

  /** @internal */
  static fromCoreCode(code: number, message: string): RecwasmError {
    return new RecwasmError(CORE_CODES[code - 1] ?? 'INTERNAL', message);
  }
}

/** @internal Throws INVALID_ARGUMENT unless `condition` holds. */
export function requireArgument(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RecwasmError('INVALID_ARGUMENT', message);
}
