import { describe, expect, it } from 'vitest';
import { fromOpenSlo } from '../../src/spec/openslo.js';
import { checkSlos } from '../../src/slo/check.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';

const DOCS = `
apiVersion: openslo/v1
kind: Service
metadata: { name: checkout }
spec: { description: ignored }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  description: Checkout requests succeed
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    metadata: { name: requests }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: plumbline, spec: { metric: http.server.requests, bad: { outcome: [error, timeout] } } } }
        total: { metricSource: { type: plumbline, spec: { metric: http.server.requests } } }
  objectives: [{ displayName: good, target: 0.999 }]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-latency }
spec:
  indicator:
    metadata: { name: duration }
    spec:
      thresholdMetric: { metricSource: { type: plumbline, spec: { metric: http.server.duration } } }
  objectives: [{ op: lte, value: 0.25, targetPercent: 99 }]
`;

describe('fromOpenSlo', () => {
  it('maps ratioMetric and thresholdMetric SLOs', () => {
    const slos = fromOpenSlo(DOCS);
    expect(slos).toEqual({
      'checkout-availability': {
        description: 'Checkout requests succeed',
        objective: 99.9,
        window: '28d',
        sli: { kind: 'availability', metric: 'http.server.requests', bad: { outcome: ['error', 'timeout'] } },
      },
      'checkout-latency': {
        description: 'checkout-latency',
        objective: 99,
        sli: { kind: 'latency', histogram: 'http.server.duration', threshold: 0.25 },
      },
    });
    expect(checkSlos({ ...checkoutSpec, slos })).toEqual([]);
  });

  it('refuses what plumbline cannot express, naming the field', () => {
    const prometheusQuery = DOCS.replace(
      'type: plumbline, spec: { metric: http.server.duration }',
      'type: Prometheus, spec: { query: "x" }',
    );
    expect(() => fromOpenSlo(prometheusQuery)).toThrow(
      'OpenSLO checkout-latency.spec.indicator.spec.thresholdMetric.metricSource.type: expected "plumbline"',
    );
    expect(() => fromOpenSlo(DOCS.replace('op: lte', 'op: gte'))).toThrow(/objectives\[0\]\.op/);
    expect(() => fromOpenSlo(DOCS.replace('duration: 28d', 'duration: 14d'))).toThrow(
      /timeWindow\[0\]\.duration/,
    );
    expect(() =>
      fromOpenSlo(DOCS.replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices')),
    ).toThrow(/budgetingMethod/);
    expect(() => fromOpenSlo(DOCS.replace('bad: { metricSource', 'good: { metricSource'))).toThrow(
      /ratioMetric\.good/,
    );
  });
});
