import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBucket } from '../../src/metrics/bucket-index.js';

describe('findBucket', () => {
  it("puts a value equal to a boundary in that boundary's bucket (le is inclusive)", () => {
    const bounds = Float64Array.from([0.1, 0.25, 1]);
    expect(findBucket(bounds, 0)).toBe(0);
    expect(findBucket(bounds, 0.1)).toBe(0);
    expect(findBucket(bounds, 0.1000001)).toBe(1);
    expect(findBucket(bounds, 0.25)).toBe(1);
    expect(findBucket(bounds, 1)).toBe(2);
    expect(findBucket(bounds, 1.5)).toBe(3);
    expect(findBucket(Float64Array.from([]), 5)).toBe(0);
  });

  it('agrees with a linear scan for any sorted boundaries and value', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
        fc.double({ noNaN: true }),
        (raw, value) => {
          const bounds = Float64Array.from(raw.sort((a, b) => a - b));
          const linear = bounds.findIndex((bound) => value <= bound);
          expect(findBucket(bounds, value)).toBe(linear === -1 ? bounds.length : linear);
        },
      ),
    );
  });
});
