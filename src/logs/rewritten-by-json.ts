// Values of an `object` field that JSON writes as something other than themselves: an Error
// (`{}`, or its own enumerable fields alone), a Date, URL or anything with a toJSON, a Map or a
// class instance, a function or symbol (left out), Infinity, -Infinity or NaN (`null`). Written
// through JSON.stringify such a value lost an Error's message and stack without a word, and OTel
// Logs, which takes plain data only, dropped the whole field (or, for a number JSON cannot write,
// kept the number the line says is null). Such a field is written from its JSON, each Error as
// pino writes `err`, and OTel Logs gets that same plain data.
import { pinoOnUse } from './pino-on-use.js';

/**
 * Whether JSON writes `value` (an object field's value) as something other than itself, at any
 * depth. Call it only on a value JSON.stringify has just written: that value has no cycle and
 * the walk visits no more than that text's values. A getter that throws is the caller's to catch.
 */
export function rewrittenByJson(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Array.prototype) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) if (isRewritten(list[i])) return true;
    return false;
  }
  if (prototype !== Object.prototype && prototype !== null) return true;
  const record = value as Record<string, unknown>;
  for (const key in record) if (isRewritten(record[key])) return true;
  return false;
}

/** rewrittenByJson, and true when a getter throws: the caller's slow path reads it as it can. */
export function mayBeRewrittenByJson(value: object): boolean {
  try {
    return rewrittenByJson(value);
  } catch {
    return true;
  }
}

function isRewritten(value: unknown): boolean {
  switch (typeof value) {
    case 'object':
      return value !== null && rewrittenByJson(value);
    case 'function':
    case 'symbol':
    case 'bigint':
      return true;
    case 'number':
      return !Number.isFinite(value); // JSON writes Infinity and NaN as null
    default:
      return false; // a string, boolean or undefined
  }
}

/** A JSON.stringify replacer writing each Error as pino writes `err` (type, message, stack, cause). */
export function errorsAsPinoWritesThem(this: unknown, _key: string, value: unknown): unknown {
  return value instanceof Error ? pinoOnUse().stdSerializers.err(value) : value;
}

/**
 * A lone surrogate as JSON.stringify writes it (`\ud800`-`\udfff`, lowercase), its backslash not
 * itself escaped. JSON.stringify escapes only lone ones; a pair is written as it is.
 */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * Whether JSON text may hold a lone surrogate's escape (cheap; a string holding a backslash
 * followed by `ud` answers true too, and wellFormedJson then changes nothing).
 */
export function mayHoldLoneSurrogate(json: string): boolean {
  return json.includes('\\ud');
}

/**
 * JSON text with each lone surrogate's escape replaced by U+FFFD itself, as a string field's lone
 * surrogates are: the line stays valid JSON that decodes to well-formed text (serde_json refuses
 * such an escape), and JSON.parse then JSON.stringify give this text back byte for byte.
 */
export function wellFormedJson(json: string): string {
  return json.replace(LONE_SURROGATE_ESCAPE, '$1\uFFFD');
}
