// Regression (hostile-traffic trial on a user's express app): a metric attribute value that is an
// object, which OTel allows no attribute to be (an app passing request input on: `{ tenant:
// req.body.tenant }` with a body of {"tenant":{"a":1}}), was written as `tenant="[object Object]"`
// and every such object became one normal-looking series, with no count; a list holding objects
// read "[object Object],x". Such a value now keys its series by its JSON text, and each
// measurement that carries one is counted in
// plumbline_metrics_dropped_total{metric,reason="label_value_not_primitive"} (the measurement is
// kept). Real peer: promtool reads the exposition.
import { describe, expect, it } from 'vitest';
import type { Attributes } from '@opentelemetry/api';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {},
  counters: {
    'edge.requests': { description: 'Requests.', attributes: ['http.route', 'tenant'] },
  },
});

const notPrimitiveCount = (body: string) =>
  /plumbline_metrics_dropped_total\{metric="edge\.requests",reason="label_value_not_primitive"\} (\d+)/.exec(
    body,
  )?.[1];

describe('regression: a metric attribute value that is an object', () => {
  it('keys its series by its JSON text and counts each measurement that carries one', async () => {
    const metrics = createMetrics(spec);
    const counter = metrics.counter('edge.requests');
    // What an app hands over when it passes request input on: no OTel attribute value.
    const fromBody = (tenant: unknown) => ({ 'http.route': '/orders', tenant }) as unknown as Attributes;
    counter.add(1, fromBody({ a: 1 }));
    counter.add(1, fromBody({ a: 1 }));
    counter.add(1, fromBody({ b: 2 }));
    counter.add(1, fromBody([{ a: 1 }, 'x']));
    counter.add(1, { 'http.route': '/orders', tenant: 'acme' });

    const body = metrics.serialize().body;
    expect(body).not.toContain('[object Object]');
    const lines = body.split('\n').filter((line) => line.startsWith('edge_requests_total{'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'edge_requests_total{http_route="/orders",tenant="{\\"a\\":1}"} 2',
        'edge_requests_total{http_route="/orders",tenant="{\\"b\\":2}"} 1',
        'edge_requests_total{http_route="/orders",tenant="{\\"a\\":1},x"} 1',
        'edge_requests_total{http_route="/orders",tenant="acme"} 1',
      ]),
    );
    // Every measurement is kept; the four that carried an object are counted.
    expect(notPrimitiveCount(body)).toBe('4');

    const checked = await promtoolCheckMetrics(body);
    expect(checked.output).not.toMatch(/error|parse/i);
  });

  it('a value JSON cannot write (a cycle) neither throws nor is lost', () => {
    const metrics = createMetrics(spec);
    const counter = metrics.counter('edge.requests');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() =>
      counter.add(1, { 'http.route': '/orders', tenant: cycle } as unknown as Attributes),
    ).not.toThrow();
    const body = metrics.serialize().body;
    expect(body).toContain('edge_requests_total{http_route="/orders",tenant="[object Object]"} 1');
    expect(notPrimitiveCount(body)).toBe('1');
  });
});
