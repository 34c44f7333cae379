// Consistent probability sampling per OpenTelemetry's TraceState probability-sampling spec
// (OTEP 235): 56 bits of randomness, a rejection threshold `th`, keep when randomness >= threshold.
//
// Both values are handled as 14-digit lowercase hex strings: for equal-length lowercase hex,
// string order is numeric order, so the per-trace comparison needs neither BigInt nor parsing.

/** 56 bits = 14 hex digits. */
export const THRESHOLD_DIGITS = 14;
/** Threshold 0: keep everything (`ot=th:0`). */
export const ALWAYS_KEEP_THRESHOLD = '00000000000000';

const HEX14 = /^[0-9a-f]{14}$/;
const TH_VALUE = /^[0-9a-f]{1,14}$/;
// Thresholds we compute carry 32 significant bits: enough for probabilities down to 2^-32 with
// a relative error below 1e-4 at 1e-5, and `ot=th` stays at most 8 characters.
const PRECISION_BITS = 32;
const PRECISION_SCALE = 2 ** PRECISION_BITS;

/**
 * The trace's 56-bit randomness: the explicit `rv` from the `ot` tracestate entry when present
 * and valid, otherwise the last 7 bytes (14 hex digits) of the trace ID.
 */
export function randomnessOf(traceId: string, otValue?: string): string {
  if (otValue !== undefined) {
    const rv = otSubKey(otValue, 'rv');
    if (rv !== undefined && HEX14.test(rv)) return rv;
  }
  return traceId.slice(-THRESHOLD_DIGITS).toLowerCase();
}

/** Whether a trace with this randomness is kept at this threshold (both 14-digit hex). */
export function keepsAt(randomness: string, threshold: string): boolean {
  return randomness >= threshold;
}

/** The threshold that keeps a fraction `probability` of traces (clamped to [2^-32, 1]). */
export function probabilityToThreshold(probability: number): string {
  if (!(probability < 1)) return ALWAYS_KEEP_THRESHOLD;
  const p = probability > 1 / PRECISION_SCALE ? probability : 1 / PRECISION_SCALE;
  let rejected = Math.round((1 - p) * PRECISION_SCALE);
  if (rejected >= PRECISION_SCALE) rejected = PRECISION_SCALE - 1;
  return rejected
    .toString(16)
    .padStart(PRECISION_BITS / 4, '0')
    .padEnd(THRESHOLD_DIGITS, '0');
}

/** The keep probability of a 14-digit threshold: (2^56 - T) / 2^56. */
export function thresholdToProbability(threshold: string): number {
  // 13 digits = 52 bits fit a double exactly; the last digit is added after scaling.
  const high = parseInt(threshold.slice(0, 13), 16);
  const low = parseInt(threshold.slice(13), 16);
  return 1 - (high * 16 + low) / 2 ** 56;
}

/** `th` as written to tracestate: trailing zeros removed, "0" for keep-all. */
export function encodeTh(threshold: string): string {
  let end = threshold.length;
  while (end > 1 && threshold.charCodeAt(end - 1) === 48 /* '0' */) end--;
  return threshold.slice(0, end);
}

const THRESHOLD = /^[0-9a-f]{14}$/;

/** Whether `value` is a policy's threshold: 14 lowercase hex digits (OTEP 235). */
export function isThreshold(value: unknown): value is string {
  return typeof value === 'string' && THRESHOLD.test(value);
}

/** Parses a `th` value (1-14 lowercase hex digits, implicitly padded with zeros); undefined if invalid. */
export function parseTh(value: string): string | undefined {
  return TH_VALUE.test(value) ? value.padEnd(THRESHOLD_DIGITS, '0') : undefined;
}

/**
 * The threshold carried by an `ot` tracestate value, if any: undefined when `th` is absent,
 * invalid (1-14 lowercase hex digits) or given more than once (the spec wants unique sub-keys;
 * two values leave the probability unknown).
 */
export function thresholdOf(otValue: string | undefined): string | undefined {
  if (otValue === undefined) return undefined;
  if (!otValue.includes('th:')) return undefined;
  let th: string | undefined;
  for (const member of otValue.split(';')) {
    if (!member.startsWith('th:')) continue;
    if (th !== undefined) return undefined;
    th = member.slice(3);
  }
  return th === undefined ? undefined : parseTh(th);
}

/**
 * The inbound `ot` value as this sampler reads it: its `th` erased when the trace's
 * `randomness` fails it (the caller kept a trace its own threshold rejects: an inconsistent
 * decision, which the spec says a sampler should erase), otherwise unchanged.
 */
export function consistentOt(otValue: string | undefined, randomness: string): string | undefined {
  if (otValue === undefined) return undefined;
  const threshold = thresholdOf(otValue);
  if (threshold === undefined || keepsAt(randomness, threshold)) return otValue;
  return otValue
    .split(';')
    .filter((member) => !member.startsWith('th:'))
    .join(';');
}

/** The larger (stricter) of two thresholds: sampling twice keeps only what passed both. */
export function stricter(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}

/** A W3C tracestate list member's value is at most 256 characters (and so is the `ot` list). */
export const OT_VALUE_MAX_LENGTH = 256;
// The spec's `ot` grammar: key = lcalpha *(lcalpha / DIGIT), value = *(ALPHA / DIGIT / . _ -).
const OT_SUB_KEY = /^[a-z][a-z0-9]*:[A-Za-z0-9._-]*$/;
// A value of `th` and a valid `rv` only, either may be missing, in either order (captures `rv`).
const TH_RV_ONLY = /^(?:th:[^;]*|rv:([0-9a-f]{14})|th:[^;]*;rv:([0-9a-f]{14})|rv:([0-9a-f]{14});th:[^;]*)$/;

/** An outbound `ot` value, and how many inbound sub-keys it left out. */
export interface OutboundOt {
  readonly value: string;
  readonly dropped: number;
}

/**
 * The `ot` value with `th` set (first) and the other inbound sub-keys kept in order, except
 * those the spec's grammar refuses (a malformed sub-key, an `rv` that is not 14 lowercase hex
 * digits, a key given twice after its first), which would make the whole value unreadable to a
 * strict parser downstream. If the value passes `maxLength`, unknown sub-keys go from the end
 * (`th` and `rv` always fit). `dropped` counts what was left out (an inbound `th` is replaced,
 * not dropped).
 */
export function outboundOt(
  otValue: string | undefined,
  threshold: string,
  maxLength = OT_VALUE_MAX_LENGTH,
): OutboundOt {
  const th = `th:${encodeTh(threshold)}`;
  if (otValue === undefined || otValue === '') return { value: th, dropped: 0 };
  // What SDKs send (`rv`, `th`, or both, in either order) needs no general parse.
  const only = TH_RV_ONLY.exec(otValue);
  if (only !== null) {
    const rv = only[1] ?? only[2] ?? only[3];
    return { value: rv === undefined ? th : `${th};rv:${rv}`, dropped: 0 };
  }
  const kept: string[] = [];
  const keys: string[] = [];
  let dropped = 0;
  let length = th.length;
  for (const member of otValue.split(';')) {
    if (member === '' || member.startsWith('th:')) continue;
    const key = member.slice(0, member.indexOf(':'));
    if (!OT_SUB_KEY.test(member) || (key === 'rv' && !HEX14.test(member.slice(3))) || keys.includes(key)) {
      dropped++;
      continue;
    }
    keys.push(key);
    kept.push(member);
    length += member.length + 1;
  }
  for (let i = kept.length - 1; i >= 0 && length > maxLength; i--) {
    if (keys[i] === 'rv') continue;
    length -= kept[i]!.length + 1;
    kept.splice(i, 1);
    keys.splice(i, 1);
    dropped++;
  }
  return { value: kept.length === 0 ? th : `${th};${kept.join(';')}`, dropped };
}

/** The `ot` value with `th` set (first) and the other valid sub-keys kept: see outboundOt(). */
export function withTh(otValue: string | undefined, threshold: string): string {
  return outboundOt(otValue, threshold).value;
}

function otSubKey(otValue: string, key: string): string | undefined {
  const prefix = `${key}:`;
  for (const member of otValue.split(';')) {
    if (member.startsWith(prefix)) return member.slice(prefix.length);
  }
  return undefined;
}
