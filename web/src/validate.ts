// Argument checks that must happen in JavaScript, before values reach Embind: Embind converts
// silently (null -> 0 inside Float64Array.from, 1.5 -> 1 for an `int` parameter, true -> 1 for a
// `double`) or throws plain TypeErrors, and neither is the RecwasmError every call promises.
// Domains (k > 0, ids within 2^53, finite ratings...) are the core's to check, in one place.
import { RecwasmError, requireArgument } from './errors.js';

/** The longest array recwasm accepts (the core indexes rows with 32-bit integers). */
const MAX_LENGTH = 2 ** 31 - 1;

/**
 * A Float64Array copy (or the array itself) of an array of numbers. Refuses anything but
 * arrays, typed arrays and array-likes of numbers: strings, functions, BigInts, null or missing
 * elements and impossible lengths throw INVALID_ARGUMENT; a copy the JS heap cannot hold throws
 * OUT_OF_MEMORY.
 */
export function toFloat64(values: unknown, name: string): Float64Array {
  requireArgument(
    values !== null &&
      typeof values === 'object' &&
      !(values instanceof BigInt64Array) &&
      !(values instanceof BigUint64Array),
    `${name} must be an array of numbers`,
  );
  if (values instanceof Float64Array) return values;
  const length: unknown = (values as { length?: unknown }).length;
  requireArgument(
    typeof length === 'number' && Number.isInteger(length) && length >= 0 && length <= MAX_LENGTH,
    `${name} must be an array of numbers (length ${String(length)} is not a valid array length)`,
  );
  let out: Float64Array;
  try {
    out = new Float64Array(length);
  } catch {
    throw new RecwasmError('OUT_OF_MEMORY', `${name}: no memory for ${length} numbers`);
  }
  if (ArrayBuffer.isView(values)) {
    out.set(values as unknown as ArrayLike<number>);
    return out;
  }
  const source = values as ArrayLike<unknown>;
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (typeof v !== 'number') {
      throw new RecwasmError(
        'INVALID_ARGUMENT',
        `${name}[${i}] must be a number, got ${v === null ? 'null' : typeof v}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** An integer in [min, max] (for parameters Embind would otherwise truncate or wrap). */
export function requireInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  requireArgument(
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    `${name} must be an integer in [${min}, ${max}], got ${typeof value === 'number' ? value : typeof value}`,
  );
}

/** A plain options object, or undefined. */
export function requireOptions(value: unknown, name = 'options'): void {
  requireArgument(
    value === undefined || (value !== null && typeof value === 'object' && !Array.isArray(value)),
    `${name} must be an object`,
  );
}

/** Optional booleans must be booleans when given (Embind would take any truthy value). */
export function requireOptionalBoolean(value: unknown, name: string): void {
  requireArgument(value == null || typeof value === 'boolean', `${name} must be true or false`);
}
