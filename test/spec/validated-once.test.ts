// The spec is checked once, at load: areas handed a validated spec read it without checking
// their section again, and SLOs resolve once into models every consumer shares. Areas handed a
// spec that never passed validateSpec still check it.
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { defineTelemetry, SpecError, type TelemetrySpec } from '../../src/index.js';
import { resolveSlos } from '../../src/spec/model.js';
import { resolveBoundaries } from '../../src/spec/buckets.js';
import { isValidatedSampling, isValidatedSpec } from '../../src/spec/validated.js';

const spec = defineTelemetry({
  service: { name: 'svc' },
  events: {},
  histograms: {
    'http.duration': { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.5] } },
  },
  slos: {
    fast: {
      description: 'fast',
      objective: 99,
      sli: { kind: 'latency', histogram: 'http.duration', threshold: 0.5 },
    },
  },
  sampling: { policies: [{ name: 'errors', kind: 'errors' }] },
});

describe('validated once', () => {
  it('remembers the spec and its sampling section, and nothing else', () => {
    expect(isValidatedSpec(spec)).toBe(true);
    expect(isValidatedSampling(spec.sampling)).toBe(true);
    expect(isValidatedSpec({ ...spec })).toBe(false);
    expect(isValidatedSampling({ ...spec.sampling })).toBe(false);
  });

  it('resolves the bucket plans of a validated spec once: each caller gets its own copy', () => {
    const first = resolveBoundaries(spec, 'http.duration');
    expect(first).toEqual([0.1, 0.5]);
    first.push(99); // a caller changing its copy does not change what the next one reads
    expect(resolveBoundaries(spec, 'http.duration')).toEqual([0.1, 0.5]);
    expect(() => resolveBoundaries(spec, 'nope')).toThrow(/no histogram named "nope"/);
  });

  it('resolves the SLOs of a validated spec once: every consumer reads the same models', () => {
    const first = resolveSlos(spec);
    const second = resolveSlos(spec);
    expect(second).not.toBe(first); // a fresh array each call, so no caller can change another's
    expect(second[0]).toBe(first[0]);
    expect(first[0]!.tiers.length).toBeGreaterThan(0);
    // A copy never validated is resolved (and checked) on its own.
    const copy: TelemetrySpec = { ...spec };
    expect(resolveSlos(copy)[0]).not.toBe(first[0]);
    expect(resolveSlos(copy)).toEqual(first);
  });

  it('still checks a spec that never passed validateSpec, in every area', () => {
    const bad = {
      ...spec,
      histograms: { 'http.duration': { description: 'd', unit: 's', buckets: { boundaries: [0.5, 0.1] } } },
      slos: { fast: { ...spec.slos.fast, objective: 100 } },
    } as TelemetrySpec;
    expect(() => createMetrics(bad)).toThrow(SpecError);
    expect(() => resolveSlos(bad)).toThrow(SpecError);
    expect(
      () =>
        new TailSamplingProcessor(
          { policies: [{ name: 'b', kind: 'budget', tracesPerSecond: 0 }] },
          new NoopSpanProcessor(),
        ),
    ).toThrow(SpecError);
  });

  it('builds the areas from a validated spec', async () => {
    const metrics = createMetrics(spec);
    metrics.histogram('http.duration').record(0.2);
    const processor = new TailSamplingProcessor(spec.sampling, new NoopSpanProcessor());
    expect(processor.stats().bufferedTraces).toBe(0);
    await processor.shutdown();
  });
});
