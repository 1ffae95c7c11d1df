/**
 * Every failure recwasm reports is a `RecwasmError` with a stable `code`; the codes are the
 * same ones the C++ core uses (`recwasm::ErrorCode`), plus `NOT_LOADED` for calls made before
 * {@link loadRecwasm} finished and `DISPOSED` for objects used after `dispose()`.
 *
 * - `INVALID_ARGUMENT`: a parameter outside its documented domain (k < 1, unknown model or option).
 * - `UNKNOWN_USER` / `UNKNOWN_ITEM`: an id the model does not know (pass a history for new users).
 * - `NOT_FITTED`: serving or saving before a training run completed.
 * - `PARSE_ERROR`: malformed text input (a CSV line); the message names the file and line.
 * - `CORRUPT_SNAPSHOT` / `UNSUPPORTED_VERSION`: truncated or altered bytes / a newer format.
 * - `CANCELLED`: training stopped by an AbortSignal, a callback, or a terminated worker.
 * - `TRAINING_DIVERGED`: the loss became NaN or infinite; the model keeps its old state.
 * - `OUT_OF_MEMORY`: the wasm heap could not grow; models and data keep their old state.
 * - `UNSUPPORTED`: the model lacks the capability (e.g. similar items from popularity).
 * - `INTERNAL`: a bug in recwasm; please report it.
 * - `NOT_LOADED`: {@link loadRecwasm} has not finished, or the module could not be loaded.
 * - `DISPOSED`: the object was disposed.
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

/**
 * The one error class recwasm throws (and rejects with). After any RecwasmError, the model or
 * dataset involved is exactly as it was before the call, and stays usable.
 */
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
