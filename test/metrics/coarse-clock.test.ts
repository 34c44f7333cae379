import { describe, expect, it } from 'vitest';
import { COARSE_TICK_MS, coarseNow } from '../../src/metrics/coarse-clock.js';

const busyWait = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};

describe('coarseNow (exemplar timestamps)', () => {
  it('catches up with Date.now within 64 calls in a synchronous run the timer cannot interrupt', () => {
    coarseNow();
    busyWait(40);
    const before = Date.now();
    let latest = 0;
    for (let i = 0; i < 64; i++) latest = coarseNow();
    expect(latest).toBeGreaterThanOrEqual(before);
  });

  it('is refreshed by its timer between turns of the event loop (fewer than 64 calls)', async () => {
    coarseNow();
    let midway = Infinity;
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, COARSE_TICK_MS / 2));
      if (i === 20) midway = Date.now();
      coarseNow(); // keeps the timer going: it stops itself once no calls come in
    }
    expect(coarseNow()).toBeGreaterThanOrEqual(midway);
  });
});
