// Regression: the spec's metric handles threw into the app when a measurement's attributes could
// not be read (a getter that throws, a Proxy that throws, a revoked Proxy) on record, add, set and
// bind, and histogram record threw "context.getValue is not a function" when its third argument
// was not a Context: 20 of 207 hostile calls threw (a hostile-input trial). Now such a
// measurement is dropped and counted as `unreadable_attributes`, and a context that is not one
// only costs the exemplar. Real parts: createMetrics and its /metrics exposition.
import { expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.duration': {
      description: 'd',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.1, 1] },
    },
  },
  counters: { 'orders.placed': { description: 'd', attributes: ['route'] } },
  gauges: { 'orders.queue': { description: 'd', attributes: ['route'] } },
});

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

it('metric-handles-throw-on-unreadable-attributes: dropped, counted, never thrown', () => {
  const metrics = createMetrics(spec, { exemplarFilter: 'always_on' });
  const h = metrics.histogram('orders.duration');
  const c = metrics.counter('orders.placed');
  const g = metrics.gauge('orders.queue');
  const unreadable = [
    {
      get route(): string {
        throw new Error('x');
      },
    },
    new Proxy(
      {},
      {
        get: () => {
          throw new Error('x');
        },
      },
    ),
    revoked(),
  ] as never[];
  for (const attributes of unreadable) {
    expect(() => h.record(0.5, attributes)).not.toThrow();
    expect(() => h.bind(attributes).record(0.5)).not.toThrow();
    expect(() => c.add(1, attributes)).not.toThrow();
    expect(() => c.bind(attributes).add(1)).not.toThrow();
    expect(() => g.set(3, attributes)).not.toThrow();
  }
  // A third argument that is not a Context: the value counts, without an exemplar.
  expect(() => h.record(0.5, { route: '/a' }, 42 as never)).not.toThrow();
  expect(() => c.add(1, { route: '/a' }, {} as never)).not.toThrow();
  const body = metrics.serialize().body;
  expect(body).toMatch(
    /^plumbline_metrics_dropped_total\{metric="orders\.duration",reason="unreadable_attributes"\} 6$/m,
  );
  expect(body).toMatch(
    /^plumbline_metrics_dropped_total\{metric="orders\.placed",reason="unreadable_attributes"\} 6$/m,
  );
  expect(body).toMatch(
    /^plumbline_metrics_dropped_total\{metric="orders\.queue",reason="unreadable_attributes"\} 3$/m,
  );
  expect(body).toMatch(/^orders_duration_seconds_count\{route="\/a"\} 1$/m);
  expect(body).toMatch(/^orders_placed_total\{route="\/a"\} 1$/m);
});
