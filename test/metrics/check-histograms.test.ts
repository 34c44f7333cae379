// Spec checks for metrics, and the fromSlos bucket plan they rely on.
import { describe, expect, it } from 'vitest';
import { checkHistograms } from '../../src/metrics/index.js';
import { resolveBoundaries } from '../../src/spec/buckets.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const base = { service: { name: 'svc' }, events: {} } as const;

describe('checkHistograms', () => {
  it('accepts a good spec', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: { lat: { description: 'd', unit: 's', buckets: { fromSlos: { min: 0.005, max: 10 } } } },
      slos: {
        s: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'lat', threshold: 0.3 } },
      },
    };
    expect(checkHistograms(spec)).toEqual([]);
  });

  it('reports empty, non-finite and non-increasing boundaries by path', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: {
        empty: { description: 'd', unit: 's', buckets: { boundaries: [] } },
        bad: { description: 'd', unit: 's', buckets: { boundaries: [0.1, Infinity, NaN] } },
        order: { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.5, 0.5, 0.2] } },
        range: { description: 'd', unit: 's', buckets: { fromSlos: { min: 0, max: -1, perDecade: 0.5 } } },
      },
    };
    const issues = checkHistograms(spec);
    expect(issues.map((issue) => issue.path)).toEqual([
      'histograms.empty.buckets.boundaries',
      'histograms.bad.buckets.boundaries[1]',
      'histograms.bad.buckets.boundaries[2]',
      'histograms.order.buckets.boundaries[2]',
      'histograms.order.buckets.boundaries[3]',
      'histograms.range.buckets.fromSlos.min',
      'histograms.range.buckets.fromSlos.max',
      'histograms.range.buckets.fromSlos.perDecade',
    ]);
    expect(issues[3]!.message).toContain('strictly increasing');
  });

  it('reports an SLO threshold that is not a boundary, listing the boundaries that exist', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: { lat: { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.2, 1] } } },
      slos: {
        s: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'lat', threshold: 0.25 } },
        ok: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'lat', threshold: 1 } },
      },
    };
    expect(checkHistograms(spec)).toEqual([
      {
        path: 'slos.s.sli.threshold',
        message: expect.stringContaining(
          '0.25 is not a bucket boundary of histogram "lat", so le="0.25" selects nothing; boundaries: 0.1, 0.2, 1.0',
        ),
      },
    ]);
  });

  it('reports cardinality caps below 1, and leaves an unknown SLO histogram to checkSlos', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: { lat: { description: 'd', unit: 's', cardinalityLimit: 0, buckets: { boundaries: [1] } } },
      counters: { c: { description: 'd', cardinalityLimit: 2.5 } },
      gauges: { g: { description: 'd', cardinalityLimit: -1 } },
      slos: {
        s: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'latency', threshold: 1 } },
      },
    };
    const issues = checkHistograms(spec);
    expect(issues.map((issue) => issue.path)).toEqual([
      'histograms.lat.cardinalityLimit',
      'counters.c.cardinalityLimit',
      'gauges.g.cardinalityLimit',
    ]);
  });

  it('reports bad exemplar settings', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: {
        lat: {
          description: 'd',
          unit: 's',
          buckets: { boundaries: [1] },
          exemplars: { minValue: NaN, maxPerSecond: 0 },
        },
      },
    };
    expect(checkHistograms(spec).map((issue) => issue.path)).toEqual([
      'histograms.lat.exemplars.minValue',
      'histograms.lat.exemplars.maxPerSecond',
    ]);
  });
});

describe('resolveBoundaries (fromSlos)', () => {
  it('spaces boundaries per decade from min to max and adds every SLO threshold exactly', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: {
        lat: { description: 'd', unit: 's', buckets: { fromSlos: { min: 0.01, max: 10, perDecade: 2 } } },
      },
      slos: {
        a: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'lat', threshold: 0.3 } },
        b: { description: 'x', objective: 99, sli: { kind: 'latency', histogram: 'lat', threshold: 20 } },
      },
    };
    expect(resolveBoundaries(spec, 'lat')).toEqual([0.01, 0.032, 0.1, 0.3, 0.32, 1, 3.2, 10, 20]);
  });

  it('sorts and de-duplicates explicit boundaries', () => {
    const spec: TelemetrySpec = {
      ...base,
      histograms: { lat: { description: 'd', unit: 's', buckets: { boundaries: [1, 0.5, 1] } } },
    };
    expect(resolveBoundaries(spec, 'lat')).toEqual([0.5, 1]);
  });
});
