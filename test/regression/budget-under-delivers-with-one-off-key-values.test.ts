// Regression (soak trial): a budget keyed by an attribute that takes a new value on some traces
// (a user or request ID beside five steady tenants) kept far less than its budget: 10 traces/s
// budgeted, 1,400 traces/s offered, 7.4/s kept with 1% one-off values and 6.2/s with 10%. Each
// new value is rated at about one trace a second for up to two seconds, so its fair share stays
// reserved while the value never comes back. The budget now corrects its shares by what it
// actually keeps (over a few seconds), so it delivers its budget; with no one-off values it keeps
// what it kept before. Real parts: the budget policy as buildPolicies makes it, fed seeded traffic.
import { describe, expect, it } from 'vitest';
import { buildPolicies } from '../../src/index.js';
import type { TraceView } from '../../src/sampling/policy.js';
import { seededRandom } from '../../scripts/seeded.js';

const WARM_UP_SECONDS = 2;

/**
 * Kept traces per second over `seconds` of `rps` traces, `oneOff` of them with a new key value,
 * counted after the first WARM_UP_SECONDS (the first second keeps more, before any rate is known).
 */
function keptPerSecond(oneOff: number, seed: number, seconds = 40, rps = 1400): number {
  const budget = buildPolicies([
    { name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'tenant' },
  ]).find((policy) => policy.kind === 'budget');
  const next = seededRandom(seed);
  let now = 1_000_000;
  let kept = 0;
  let fresh = 0;
  for (let i = 0; i < seconds * rps; i++) {
    now += 1000 / rps;
    const tenant = next() < oneOff ? `user-${fresh++}` : `tenant-${i % 5}`;
    const randomness = Math.floor(next() * 2 ** 56)
      .toString(16)
      .padStart(14, '0');
    const view = { localRoot: { attributes: { tenant } }, randomness, spans: [] } as unknown as TraceView;
    if (budget!.evaluate(view, now).verdict === 'keep' && i >= WARM_UP_SECONDS * rps) kept++;
  }
  return kept / (seconds - WARM_UP_SECONDS);
}

/** The mean over three seeded runs: one 38 s run at 10/s is Poisson-noisy by about ±0.5/s. */
function meanKeptPerSecond(oneOff: number, seeds: readonly number[]): number {
  let sum = 0;
  for (const seed of seeds) sum += keptPerSecond(oneOff, seed);
  return sum / seeds.length;
}

describe('budget under-delivers with one-off key values', () => {
  it('keeps about its budget when some traces carry a key value never seen again', () => {
    for (const oneOff of [0.01, 0.1, 0.3, 1]) {
      const kept = meanKeptPerSecond(oneOff, [1, 2, 3]);
      expect(kept, `${oneOff * 100}% one-off values`).toBeGreaterThan(9.25);
      expect(kept, `${oneOff * 100}% one-off values`).toBeLessThan(10.75);
    }
  });

  it('keeps its budget, not more, with steady keys only', () => {
    const kept = meanKeptPerSecond(0, [4, 5, 6]);
    expect(kept).toBeGreaterThan(9.25);
    expect(kept).toBeLessThan(10.75);
  });
});
