// An SLO's objective is a number of percent (99.9), at least 1 and below 100 (spec-schema.ts).
// The two ways it is written wrong in practice, a fraction (0.999) and a string with a percent
// sign ("99.9%", YAML), are told what was meant instead of a bare bound or type.

/** Whether a JSON pointer is an SLO's objective: /slos/<name>/objective. */
export function isObjectivePointer(pointer: string): boolean {
  return /^\/slos\/[^/]+\/objective$/.test(pointer);
}

/** The message for an objective below the schema's minimum of 1. */
export function lowObjectiveMessage(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // A fraction: 0.999 meant 99.9%, not 0.999%; no real SLO promises less than 1%.
  if (value > 0 && value < 1)
    return `${value} is a percentage here (${value}%); did you mean ${+(value * 100).toPrecision(12)}?`;
  return `must be a percentage of at least 1 and below 100 (e.g. 99.9), got ${value}`;
}

const NUMBER_TEXT = /^\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(%?)\s*$/;

/**
 * The message for a string where a number belongs, when the string holds one: YAML reads
 * `objective: 99.9%` and `threshold: "0.25"` as strings. Undefined for any other string.
 */
export function numberAsStringMessage(
  pointer: string,
  value: unknown,
  expected: 'number' | 'integer',
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = NUMBER_TEXT.exec(value);
  if (match === null) return undefined;
  const number = Number(match[1]);
  if (match[2] === '%') {
    return isObjectivePointer(pointer) ? `must be a number of percent, without "%": ${number}` : undefined;
  }
  return `must be ${expected === 'integer' ? 'an integer' : 'a number'}, not a string: ${number} (without quotes)`;
}
