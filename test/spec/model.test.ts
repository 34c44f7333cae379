// The spec model: a spec is checked once and resolved once, and every runtime area and generator
// reads that model. An area handed an unchecked spec gets the whole spec's SpecError (every
// section's problems at once), not a check of its own section alone.
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { createSloEngine } from '../../src/slo/engine.js';
import { defineTelemetry, resolveSpec, SpecError, type TelemetrySpec } from '../../src/index.js';
import { resolveSampling } from '../../src/spec/sampling-settings.js';

const spec = defineTelemetry({
  service: { name: 'svc' },
  events: { 'order.placed': { level: 'info', fields: { id: { type: 'string' } } } },
  counters: { 'orders.total': { description: 'orders', attributes: ['outcome'] } },
  histograms: {
    'http.duration': { description: 'd', unit: 's', buckets: { fromSlos: { min: 0.1, max: 1 } } },
  },
  slos: {
    fast: {
      description: 'fast',
      objective: 99,
      sli: { kind: 'latency', histogram: 'http.duration', threshold: 0.25 },
    },
  },
  sampling: { maxTraces: 500, policies: [{ name: 'errors', kind: 'errors' }] },
});

/** Wrong in three sections: a bucket plan, an SLO objective and a sampling budget. */
const broken = {
  ...spec,
  histograms: {
    'http.duration': { ...spec.histograms['http.duration'], buckets: { boundaries: [0.5, 0.1] } },
  },
  slos: { fast: { ...spec.slos.fast, objective: 100 } },
  sampling: { policies: [{ name: 'budget', kind: 'budget', tracesPerSecond: 0 }] },
} as TelemetrySpec;

function issuePaths(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).issues.map((issue) => issue.path);
  }
  throw new Error('expected a SpecError');
}

describe('resolveSpec', () => {
  it('builds the model once per spec object, at load, and answers the same frozen model after', () => {
    const model = resolveSpec(spec);
    expect(resolveSpec(spec)).toBe(model);
    expect(model.spec).toBe(spec);
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model.slos)).toBe(true);
    expect(Object.isFrozen(model.slos[0]!.tiers)).toBe(true);
    expect(Object.isFrozen(model.histograms['http.duration']!.boundaries)).toBe(true);
    // A copy is another spec: checked and resolved on its own, to an equal model.
    const copy: TelemetrySpec = { ...spec };
    expect(resolveSpec(copy)).not.toBe(model);
    expect(resolveSpec(copy).slos).toEqual(model.slos);
  });

  it('holds every part the areas read: SLO models, bucket plans, counters, events', () => {
    const model = resolveSpec(spec);
    expect(model.slos.map((slo) => [slo.name, slo.errorBudget])).toEqual([
      ['fast', expect.closeTo(0.01, 12)],
    ]);
    // fromSlos: log-spaced from min to max, plus the SLO threshold as an exact boundary.
    expect(model.histograms['http.duration']).toMatchObject({
      name: 'http.duration',
      spec: spec.histograms['http.duration'],
      boundaries: [0.1, 0.18, 0.25, 0.32, 0.56, 1],
    });
    expect(Object.keys(model.counters)).toEqual(['orders.total']);
    expect(model.events['order.placed']!.spec).toBe(spec.events['order.placed']);
    expect(model.gauges).toEqual({});
  });

  it('fills in the sampling defaults, keeping what the spec sets', () => {
    expect(resolveSpec(spec).sampling).toEqual({
      section: spec.sampling,
      policies: spec.sampling.policies,
      decisionWaitMs: 100,
      maxTraces: 500,
      maxSpansPerTrace: 1_000,
      maxBytes: 64 * 1024 * 1024,
      dryRun: false,
    });
    expect(resolveSpec({ service: { name: 'svc' }, events: {} }).sampling).toBeUndefined();
  });

  it('resolves a sampling section handed alone the same way, once', () => {
    // The section of a resolved spec answers its model's settings.
    expect(resolveSampling(spec.sampling)).toBe(resolveSpec(spec).sampling);
    const alone = { dryRun: true, policies: [{ name: 'errors', kind: 'errors' as const }] };
    const settings = resolveSampling(alone);
    expect(settings).toMatchObject({ decisionWaitMs: 100, maxTraces: 10_000, dryRun: true });
    expect(resolveSampling(alone)).toBe(settings);
    expect(() => resolveSampling({ policies: [] })).toThrow(SpecError);
  });

  it('throws one SpecError listing every section’s problems at once', () => {
    expect(issuePaths(() => resolveSpec(broken))).toEqual(
      expect.arrayContaining([
        'histograms["http.duration"].buckets.boundaries[1]',
        'slos.fast.objective',
        'sampling.policies[0].tracesPerSecond',
      ]),
    );
  });
});

describe('areas and generators read the model', () => {
  const everySection = [
    'histograms["http.duration"].buckets.boundaries[1]',
    'slos.fast.objective',
    'sampling.policies[0].tracesPerSecond',
  ];

  it.each([
    ['createMetrics', () => createMetrics(broken)],
    ['createSloEngine', () => createSloEngine(broken)],
    ['TailSamplingProcessor', () => new TailSamplingProcessor(broken, new NoopSpanProcessor())],
    ['generatePrometheusRules', () => generatePrometheusRules(broken)],
    ['renderDashboards', () => renderDashboards(broken)],
  ])('%s handed an unchecked spec refuses it with the problems of every section', (_, build) => {
    expect(issuePaths(build)).toEqual(expect.arrayContaining(everySection));
  });

  it('the tail sampler takes a whole spec or its section alone, and needs a sampling section', async () => {
    const whole = new TailSamplingProcessor(spec, new NoopSpanProcessor());
    const section = new TailSamplingProcessor(spec.sampling, new NoopSpanProcessor());
    expect(whole.stats()).toEqual(section.stats());
    await Promise.all([whole.shutdown(), section.shutdown()]);
    expect(
      issuePaths(
        () => new TailSamplingProcessor({ service: { name: 'svc' }, events: {} }, new NoopSpanProcessor()),
      ),
    ).toEqual(['sampling']);
    // A bad section alone is checked where it is resolved.
    expect(
      issuePaths(
        () =>
          new TailSamplingProcessor(
            { policies: [{ name: 'b', kind: 'budget', tracesPerSecond: 0 }] },
            new NoopSpanProcessor(),
          ),
      ),
    ).toEqual(['sampling.policies[0].tracesPerSecond']);
  });
});
