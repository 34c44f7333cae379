// Regression: a budget weighted by a key whose listed values include `others` wrote two composite
// sub-policies named `<budget>/others`: the listed value's and the slot every unlisted value
// shares. The collector starts with it and keeps one rate allocation per name, the last: the
// value weighted 18 of 20 got the slot's 5% instead of its 90% (with 100 spans/s, 5 spans/s: of
// 200 traces sent at once 5 kept instead of 90). The listed value's sub-policy now gets a name of
// its own. Real parts: the plumbline collector running the generated single.yaml, traces over
// OTLP/HTTP, the kept ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const budget: SamplingPolicySpec = {
  name: 'baseline',
  kind: 'budget',
  tracesPerSecond: 100,
  key: 'tenant',
  weights: { others: 18, acme: 1 },
};

describe('a weighted value named others', () => {
  it('has a composite sub-policy and a rate allocation of its own', () => {
    const single = parse(
      generateCollectorConfigs(
        { service: { name: 'shop' }, events: {}, sampling: { policies: [budget] } },
        { spansPerTrace: 1 },
      )['single.yaml'],
    ) as {
      processors: {
        tail_sampling: {
          policies: Array<{
            composite?: { policy_order: string[]; rate_allocation: Array<{ policy: string }> };
          }>;
        };
      };
    };
    const composite = single.processors.tail_sampling.policies.find((p) => p.composite)!.composite!;
    expect(new Set(composite.policy_order).size).toBe(3);
    expect(new Set(composite.rate_allocation.map((allocation) => allocation.policy)).size).toBe(3);
  });

  it('gets its 90% of the budget in the collector, not the unlisted values 5%', async () => {
    // 100 spans/s in all; one-span traces, all sent at once: decided within a tick or two, so the
    // value's 90 spans/s keep at least 90, the slot's 5 spans/s no more than a few times 5.
    const { keptCount } = await keptByCollector(
      [budget],
      'tenant',
      Array.from({ length: 200 }, () => 'others'),
      { spansPerTrace: 1 },
    );
    expect(keptCount).toBeGreaterThanOrEqual(60);
  }, 90_000);
});
