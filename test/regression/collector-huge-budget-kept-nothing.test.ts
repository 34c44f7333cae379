// Regression: a budget of more traces per second than any tier sees ("keep everything") made a
// collector that kept no trace at all. The per-gateway rate and burst were written as computed:
// tracesPerSecond 1e300 gave `spans_per_second: 1e+300`, 9e17 (10 spans per trace, one
// collector) a burst of 18000000000000000000; the collector reads both as Go int64, and they
// wrapped to negative limits: 0 of 5 traces kept, where a budget of 5 traces/s keeps all 5. Both
// are now capped at 2^53 - 1. Real parts: the plumbline collector running the generated single.yaml,
// traces over OTLP/HTTP, the kept ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const probes = ['a', 'b', 'c', 'd', 'e'];

describe('a budget larger than the collector holds', () => {
  it.each([1e300, 9e17])(
    'tracesPerSecond %d keeps every trace, as a budget of 5/s does',
    async (tps) => {
      const { keptCount } = await keptByCollector(
        [{ name: 'baseline', kind: 'budget', tracesPerSecond: tps }],
        'tenant',
        probes,
      );
      expect(keptCount).toBe(probes.length);
    },
    90_000,
  );

  it('the control: a budget of 5 traces/s keeps the 5', async () => {
    const { keptCount } = await keptByCollector(
      [{ name: 'baseline', kind: 'budget', tracesPerSecond: 5 }],
      'tenant',
      probes,
    );
    expect(keptCount).toBe(probes.length);
  }, 90_000);
});
