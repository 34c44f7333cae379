// Regression (an SRE's trial with the generated single.yaml): the in-process sampler runs an
// exemplar rule first when the spec lists none, but the collector generator wrote only the
// policies the spec lists. Traces the SDK kept for their exemplars then met the gateway's budget:
// with 10-span traces at 37 requests/s, 14 of 22 exemplar trace IDs in Prometheus were missing
// from the collector's trace output. The generated tail_sampling now starts with the same rule.
// test/e2e/collector-corpus.test.ts proves it on a real collector (40 of 40 marked traces kept).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { EXEMPLAR_SPAN_ATTRIBUTE } from '../../src/spec/naming.js';
import type { SamplingSpec } from '../../src/spec/types.js';

function tailPolicies(sampling: SamplingSpec): { name: string; type: string }[] {
  const single = parse(
    generateCollectorConfigs({ service: { name: 'shop' }, events: {}, sampling })['single.yaml']!,
  ) as { processors: Record<string, { policies?: { name: string; type: string }[] }> };
  const tail = Object.entries(single.processors).find(([name]) => name.startsWith('tail_sampling'))!;
  return tail[1].policies!;
}

describe('regression: the collector dropped traces the SDK kept for exemplars', () => {
  it('starts tail_sampling with the implicit exemplar rule when the spec lists none', () => {
    const policies = tailPolicies({
      policies: [
        { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5 } },
        { name: 'baseline', kind: 'budget', tracesPerSecond: 5 },
      ],
    });
    expect(policies[0]).toEqual({
      name: 'exemplar',
      type: 'boolean_attribute',
      boolean_attribute: { key: EXEMPLAR_SPAN_ATTRIBUTE, value: true },
    });
  });

  it('adds none when the spec lists its own, wherever it stands', () => {
    const policies = tailPolicies({
      policies: [
        { name: 'errors', kind: 'errors' },
        { name: 'marked', kind: 'exemplar' },
        { name: 'baseline', kind: 'budget', tracesPerSecond: 5 },
      ],
    });
    expect(policies.filter((policy) => policy.type === 'boolean_attribute').map((p) => p.name)).toEqual([
      'marked',
    ]);
  });
});
