// Errors nested inside an `object` field's value. JSON writes an Error as `{}` (or its own
// enumerable fields alone), so `{ ctx: { error, attempt } }` would lose the message and stack
// without a word; such a value is written with each Error as pino writes `err`.
import { pinoOnUse } from './pino-on-use.js';

/**
 * Whether `value` holds an Error below its top level, where JSON would look: own enumerable
 * fields, list entries, not into what has a `toJSON`. Call it only on a value JSON.stringify has
 * just written: that value has no cycle and the walk visits no more than that text's values.
 * A getter that throws is the caller's to catch.
 */
export function holdsNestedError(value: object): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (isOrHoldsError(value[i])) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (isOrHoldsError(record[key])) return true;
  return false;
}

/** holdsNestedError, and true when a getter throws: the caller's slow path reads it as it can. */
export function mayHoldNestedError(value: object): boolean {
  try {
    return holdsNestedError(value);
  } catch {
    return true;
  }
}

function isOrHoldsError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Plain objects and lists first: the common nesting, and neither is an Error nor has a toJSON
  // of its prototype's.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === Array.prototype || prototype === null)
    return holdsNestedError(value);
  if (value instanceof Error) return true;
  // JSON writes a typed array's entries and a toJSON's answer, where no Error of the caller's is.
  if (ArrayBuffer.isView(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  return holdsNestedError(value);
}

/** A JSON.stringify replacer writing each Error as pino writes `err` (type, message, stack, cause). */
export function errorsAsPinoWritesThem(this: unknown, _key: string, value: unknown): unknown {
  return value instanceof Error ? pinoOnUse().stdSerializers.err(value) : value;
}
