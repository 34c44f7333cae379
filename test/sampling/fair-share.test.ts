import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fairShares } from '../../src/sampling/fair-share.js';

describe('fairShares', () => {
  it('splits a budget equally between two noisy keys', () => {
    expect(
      fairShares(10, [
        { demand: 1000, weight: 1 },
        { demand: 100, weight: 1 },
      ]),
    ).toEqual([5, 5]);
  });

  it('gives a quiet key all it asks for and lends the rest to the noisy key', () => {
    expect(
      fairShares(10, [
        { demand: 1000, weight: 1 },
        { demand: 2, weight: 1 },
      ]),
    ).toEqual([8, 2]);
  });

  it('splits by weight', () => {
    const [gold, free] = fairShares(10, [
      { demand: 1000, weight: 3 },
      { demand: 1000, weight: 1 },
    ]);
    expect(gold).toBeCloseTo(7.5);
    expect(free).toBeCloseTo(2.5);
  });

  it('never exceeds the budget, never gives a key more than it asks, and leaves nothing unused while demand remains', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.array(
          fc.record({
            demand: fc.double({ min: 0, max: 2000, noNaN: true }),
            weight: fc.double({ min: 0.1, max: 10, noNaN: true }),
          }),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (budget, demands) => {
          const shares = fairShares(budget, demands);
          const total = shares.reduce((a, b) => a + b, 0);
          const wanted = demands.reduce((a, d) => a + d.demand, 0);
          expect(total).toBeLessThanOrEqual(budget * (1 + 1e-9));
          expect(total).toBeCloseTo(Math.min(budget, wanted), 6);
          shares.forEach((share, i) =>
            expect(share).toBeLessThanOrEqual(demands[i]!.demand * (1 + 1e-9) + 1e-12),
          );
          // A capped key gets at least its weighted share of the whole budget.
          const totalWeight = demands.reduce((a, d) => a + d.weight, 0);
          shares.forEach((share, i) => {
            if (share < demands[i]!.demand - 1e-9)
              expect(share).toBeGreaterThanOrEqual((budget * demands[i]!.weight) / totalWeight - 1e-9);
          });
        },
      ),
    );
  });
});
