// Regression: the Prometheus unit word was looked up in a plain object, so a spec unit such as
// `constructor` or `__proto__` found Object.prototype's members: the histogram `a.b` in unit
// `constructor` was written as `a_b_function Object() { [native code] }` (and `a_b_[object Object]`
// for `__proto__`) on /metrics, in the rules and in the dashboards' queries. The unit is any
// string of the spec; it is now looked up in a Map. Real peer: promtool check metrics.
import { describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { prometheusBaseName } from '../../src/spec/naming.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

describe('a metric unit named like an object property', () => {
  for (const unit of ['constructor', '__proto__', 'toString']) {
    it(`writes a valid metric name for unit ${unit}`, async () => {
      expect(prometheusBaseName('a.b', unit)).toBe(`a_b_${unit}`);
      const spec = defineTelemetry({
        service: { name: 'edge' },
        events: {},
        histograms: { 'a.b': { description: 'odd unit', unit, buckets: { boundaries: [1, 2] } } },
      });
      const metrics = createMetrics(spec);
      metrics.histogram('a.b').record(1.5);
      const { body } = metrics.serialize();
      expect(body).toContain(`a_b_${unit}_bucket{le="2.0"} 1`);
      const checked = await promtoolCheckMetrics(body);
      expect(checked.output).not.toMatch(/error|invalid/i);
    });
  }
});
