// Regression (review): an exemplar's label names could repeat. Undeclared attributes trace_id:'x',
// 'u.id':'1' and u_id:'2' were written as
// `# {trace_id="0af7…",span_id="…",trace_id="x",u_id="1",u_id="2"}`, and Prometheus drops such an
// exemplar. Now trace_id and span_id are the exemplar's own (an attribute of that label name is
// left out), and of the attributes that sanitize to one label name the first is kept; what is
// left out is counted in plumbline_exemplar_attributes_dropped_total. Real parts: createMetrics'
// exposition inside a real sampled span.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

let tracing: Tracing;
beforeAll(() => (tracing = setupTracing()));
afterAll(() => tracing.close());

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  counters: { 'orders.placed': { description: 'd', attributes: ['route'] } },
});

describe('exemplar-label-names-repeat', () => {
  it('writes each exemplar label name once: trace_id and span_id reserved, the first of a clash kept', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based', now: () => 1_700_000_000_000 });
    const span = tracing.inSpan((s) => {
      metrics.counter('orders.placed').add(1, {
        route: '/a',
        trace_id: 'x',
        'u.id': '1',
        u_id: '2',
        'span.id': 'y', // sanitizes to span_id
        'u-id': '3',
      });
      return s.spanContext();
    });
    const body = metrics.serialize(OPENMETRICS_ACCEPT).body;
    const line = body.split('\n').find((l) => l.startsWith('orders_placed_total{route="/a"}'))!;
    expect(line).toBe(
      `orders_placed_total{route="/a"} 1 # {trace_id="${span.traceId}",span_id="${span.spanId}",u_id="1"} 1 1700000000`,
    );
    const names = [...line.split('# ')[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    // trace_id, span.id, u_id and u-id.
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="orders.placed"} 4\n');
  });

  it('without a trace (always_on outside a span) trace_id is still not taken from the attributes', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_on', now: () => 1_700_000_000_000 });
    metrics.counter('orders.placed').add(1, { route: '/a', trace_id: 'x', user: 'u' });
    const body = metrics.serialize(OPENMETRICS_ACCEPT).body;
    expect(body).toContain('orders_placed_total{route="/a"} 1 # {user="u"} 1 1700000000\n');
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="orders.placed"} 1\n');
  });
});
