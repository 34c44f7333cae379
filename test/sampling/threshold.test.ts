import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALWAYS_KEEP_THRESHOLD,
  encodeTh,
  keepsAt,
  parseTh,
  probabilityToThreshold,
  randomnessOf,
  stricter,
  thresholdOf,
  thresholdToProbability,
  withTh,
} from '../../src/sampling/threshold.js';

describe('OTEP 235 thresholds', () => {
  it('takes randomness from the last 7 bytes of the trace ID, or from rv', () => {
    expect(randomnessOf('0123456789abcdef0123456789ABCDEF')).toBe('23456789abcdef');
    expect(randomnessOf('00000000000000000011223344556677')).toBe('11223344556677');
    expect(randomnessOf('00000000000000000011223344556677', 'th:8;rv:ffffffffffffff')).toBe('ffffffffffffff');
    expect(randomnessOf('00000000000000000011223344556677', 'rv:nothex')).toBe('11223344556677');
  });

  it('encodes th without trailing zeros and parses it back padded', () => {
    expect(encodeTh(ALWAYS_KEEP_THRESHOLD)).toBe('0');
    expect(encodeTh('80000000000000')).toBe('8');
    expect(encodeTh('fd700a3d700000')).toBe('fd700a3d7');
    expect(parseTh('8')).toBe('80000000000000');
    expect(parseTh('0')).toBe(ALWAYS_KEEP_THRESHOLD);
    expect(parseTh('')).toBeUndefined();
    expect(parseTh('123456789abcdef')).toBeUndefined(); // 15 digits
    expect(parseTh('ABC')).toBeUndefined(); // uppercase is not valid th
  });

  it('maps the spec examples: th:8 is 50%, th:c is 25%, th:0 is 100%', () => {
    expect(probabilityToThreshold(0.5)).toBe('80000000000000');
    expect(probabilityToThreshold(0.25)).toBe('c0000000000000');
    expect(probabilityToThreshold(1)).toBe(ALWAYS_KEEP_THRESHOLD);
    expect(thresholdToProbability(parseTh('8')!)).toBe(0.5);
    expect(thresholdToProbability(parseTh('c')!)).toBe(0.25);
    expect(thresholdToProbability(ALWAYS_KEEP_THRESHOLD)).toBe(1);
  });

  it('keeps when randomness >= threshold', () => {
    expect(keepsAt('80000000000000', '80000000000000')).toBe(true);
    expect(keepsAt('7fffffffffffff', '80000000000000')).toBe(false);
    expect(keepsAt('00000000000000', ALWAYS_KEEP_THRESHOLD)).toBe(true);
  });

  it('round-trips probabilities within the 32-bit precision it writes', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1, noNaN: true }), (p) => {
        const threshold = probabilityToThreshold(p);
        expect(threshold).toMatch(/^[0-9a-f]{14}$/);
        expect(parseTh(encodeTh(threshold))).toBe(threshold);
        expect(Math.abs(thresholdToProbability(threshold) - p)).toBeLessThanOrEqual(2 ** -32);
      }),
    );
  });

  it('sets th first in the ot entry and keeps the other sub-keys', () => {
    expect(withTh(undefined, '80000000000000')).toBe('th:8');
    expect(withTh('rv:11223344556677;x:y', 'c0000000000000')).toBe('th:c;rv:11223344556677;x:y');
    expect(withTh('th:8;rv:11223344556677', ALWAYS_KEEP_THRESHOLD)).toBe('th:0;rv:11223344556677');
    expect(thresholdOf('rv:11223344556677;th:c')).toBe('c0000000000000');
    expect(stricter(ALWAYS_KEEP_THRESHOLD, 'c0000000000000')).toBe('c0000000000000');
    expect(stricter('e0000000000000', 'c0000000000000')).toBe('e0000000000000');
  });
});
