// Regression (sampling review): the in-process attribute policy read the span's value of the key
// and looked at the resource only when the span had none (`span ?? resource`), while the generated
// collector string_attribute policy keeps a trace when the resource OR any span has a listed value.
// Under a policy keeping gold, a service whose resource says tier=gold sent traces whose span says
// silver, gold, bronze: the gateway kept 3 of 3, the SDK 1 of 3 (the span saying gold); a span
// saying tier=42 (a number) hid the resource's gold as well.
// Both now keep them: the resource and the span are each checked. Real parts: the in-process tail
// sampler behind a real tracer provider with that resource, and the real collector running the
// generated single.yaml, fed spans over OTLP/HTTP.
import { SpanKind, type AttributeValue } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector } from '../support/collector-attribute-probe.js';
import { seededIds } from '../sampling/harness.js';

const POLICIES: readonly SamplingPolicySpec[] = [
  { name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] },
];

/** The span values of `tier` whose trace the in-process sampler keeps, under `resource`. */
async function keptInProcess(
  resource: Readonly<Record<string, string>>,
  spanValues: readonly (AttributeValue | undefined)[],
  policies: readonly SamplingPolicySpec[] = POLICIES,
): Promise<(AttributeValue | undefined)[]> {
  const kept: (AttributeValue | undefined)[] = [];
  for (const value of spanValues) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes(resource),
      idGenerator: seededIds(7),
      spanProcessors: [
        new TailSamplingProcessor(
          { decisionWaitMs: 0, policies: [...policies] },
          new SimpleSpanProcessor(exporter),
        ),
      ],
    });
    const span = provider.getTracer('probe').startSpan('probe', { kind: SpanKind.SERVER });
    if (value !== undefined) span.setAttribute('tier', value);
    span.end();
    await provider.forceFlush();
    if (exporter.getFinishedSpans().length > 0) kept.push(value);
    await provider.shutdown();
  }
  return kept;
}

describe('an attribute policy whose key is on both the resource and the span', () => {
  it('keeps in-process a trace whose resource matches, whatever its spans say', async () => {
    expect(await keptInProcess({ tier: 'gold' }, ['silver', 42, 'gold', undefined])).toEqual([
      'silver',
      42,
      'gold',
      undefined,
    ]);
    // Neither matching: nothing kept (the policy still only keeps listed values).
    expect(await keptInProcess({ tier: 'silver' }, ['bronze', 42, undefined])).toEqual([]);
    // The span matching under a resource that does not: kept, as before.
    expect(await keptInProcess({ tier: 'silver' }, ['gold'])).toEqual(['gold']);
  });

  it('keeps the same traces in the collector as in-process', async () => {
    const probes = ['silver', 'gold', 'bronze'];
    const collector = await keptByCollector(POLICIES, 'tier', probes, { resource: { tier: 'gold' } });
    expect([...collector.kept].sort()).toEqual([...probes].sort());
    expect(await keptInProcess({ tier: 'gold' }, probes)).toEqual(probes);
    const none = await keptByCollector(POLICIES, 'tier', ['bronze', 'gold'], {
      resource: { tier: 'silver' },
    });
    expect([...none.kept]).toEqual(['gold']);
    expect(await keptInProcess({ tier: 'silver' }, ['bronze', 'gold'])).toEqual(['gold']);
  }, 120_000);

  it('keeps the same traces for a listed empty value on the resource (the OTTL condition)', async () => {
    const empty: readonly SamplingPolicySpec[] = [
      { name: 'empty', kind: 'attribute', key: 'tier', values: [''] },
    ];
    const collector = await keptByCollector(empty, 'tier', ['silver', 'gold'], { resource: { tier: '' } });
    expect([...collector.kept].sort()).toEqual(['gold', 'silver']);
    expect(await keptInProcess({ tier: '' }, ['silver', 'gold'], empty)).toEqual(['silver', 'gold']);
  }, 120_000);
});
