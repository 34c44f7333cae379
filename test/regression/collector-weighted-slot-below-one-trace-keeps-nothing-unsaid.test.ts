// Regression (generate-edges, the "others" slot of a weighted budget): the gateway's composite
// gives each slot int64(percent / 100 × max_total_spans_per_second) spans in a wall-clock second,
// with no burst, and keeps a trace only if its spans fit in what the slot has left that second.
// A slot below one trace of the generator's own spansPerTrace keeps none of those traces (a 1% slot
// below 100 spans/s gets 0 and keeps nothing at all), while in-process every value, listed or
// not, keeps its share. The config said only "unlisted values share one slot"; a weighted budget of
// 1 trace/s, {gold: 3}, on the single collector (10 spans/s: gold 7, others 2) kept no trace of
// 10 spans under either. Not expressible in a composite (rate_limiting's burst_capacity is what
// lets a large trace pass): the YAML now says which slots are too small and what follows, and
// docs/collector.md states it. Real parts: the plumbline collector running the generated
// single.yaml, traces over OTLP/HTTP, the kept ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector, type ProbeTrace } from '../support/collector-trace-probe.js';

const budget: SamplingPolicySpec = {
  name: 'base',
  kind: 'budget',
  tracesPerSecond: 1,
  key: 'tenant',
  weights: { gold: 3 },
};

const traceOf = (tenant: string, spans: number): ProbeTrace => ({
  spans: [
    { durationMs: 5, attributes: { tenant } },
    ...Array.from({ length: spans - 1 }, () => ({ parent: 0, durationMs: 1 })),
  ],
});

describe('a weighted budget slot smaller than one trace', () => {
  it('the single collector keeps no trace larger than its slot (gold 7, others 2 spans/s)', async () => {
    const kept = await keptByCollector(
      [budget],
      [traceOf('gold', 10), traceOf('gold', 5), traceOf('bronze', 10), traceOf('bronze', 2)],
    );
    // Each alone or in any order within one second: 10 > 7, 5 <= 7, 10 > 2, 2 <= 2.
    expect(kept).toEqual([false, true, false, true]);
  }, 90_000);

  it('the YAML says which slots hold less than one trace and that the gateway keeps none of those traces', () => {
    const spec = { service: { name: 'w' }, events: {}, sampling: { policies: [budget] } };
    const files = generateCollectorConfigs(spec);
    expect(files['single.yaml']).toContain(
      '# - base: a composite slot keeps no trace with more spans than its spans/s per gateway (it has no burst; ' +
        'the collector rounds percent × 10 / 100 down), and these hold less than one trace of 10 spans: ' +
        '"gold" 7, others (every unlisted value) 2; in-process each keeps its share. Raise tracesPerSecond or the weight',
    );
    // Two gateways share the budget: 5 spans/s each, gold 3, others 1.
    expect(files['gateway.yaml']).toContain('10 spans: "gold" 3, others (every unlisted value) 1;');
    // A budget whose slots all hold a trace says nothing of it.
    const roomy = generateCollectorConfigs({
      ...spec,
      sampling: { policies: [{ ...budget, tracesPerSecond: 20 }] },
    });
    expect(roomy['gateway.yaml']).not.toContain('a composite slot keeps no trace');
  });
});
