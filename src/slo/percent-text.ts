// How an SLO's objective and error budget are written for people (alert text): as decimals a
// person writes, never with an exponent or float dust, however many nines the objective has.

/**
 * Significant digits a double keeps exactly: every decimal written with up to 15 comes back the
 * same from toPrecision(15), and the dust of a computed one (past the 15th digit) goes.
 */
const EXACT_DIGITS = 15;

/** The objective as the spec states it: 99.9999999999 -> "99.9999999999". */
export function objectivePercentText(objective: number): string {
  const stated = plainDecimal(objective, EXACT_DIGITS);
  // Within 5e-14 of 100, 15 digits read "100": then the shortest text that reads back as it
  // (String() writes no exponent between 1e-6 and 1e21).
  return Number(stated) >= 100 && objective < 100 ? String(objective) : stated;
}

/**
 * The error budget in percent, 100 minus the objective worked out in decimal, not in floats:
 * 99.9999999999 -> "0.0000000001" (as a float difference: 1.00002e-10), 99.9 -> "0.1".
 */
export function errorBudgetPercentText(objective: number): string {
  const stated = objectivePercentText(objective);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(stated);
  if (match === null) return plainDecimal(100 - objective, 6);
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const left = 100n * scale - BigInt(match[1]! + fraction);
  if (left <= 0n) return plainDecimal(100 - objective, 6);
  return decimalText(left.toString(), fraction.length);
}

/**
 * `value` rounded to `significantDigits` and written out in full: no exponent (1e-7 -> "0.0000001"),
 * no trailing zeros.
 */
export function plainDecimal(value: number, significantDigits: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value === 0 ? 0 : value);
  const [mantissa, exponentText] = Math.abs(value)
    .toExponential(significantDigits - 1)
    .split('e');
  const digits = mantissa!.replace('.', '');
  const exponent = Number(exponentText);
  // digits × 10^(exponent - (digits - 1)): an integer over a power of ten.
  const places = digits.length - 1 - exponent;
  const text =
    places <= 0 ? digits + '0'.repeat(-places) : decimalText(digits.replace(/^0+(?=\d)/, ''), places);
  return value < 0 ? `-${text}` : text;
}

/** The integer `digits` divided by 10^places, written without trailing zeros. */
function decimalText(digits: string, places: number): string {
  if (places === 0) return digits;
  const padded = digits.padStart(places + 1, '0');
  const whole = padded.slice(0, -places);
  const fraction = padded.slice(-places).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}
