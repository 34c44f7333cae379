// Regression: a developer renamed a histogram attribute in the spec (route -> http.route) and left
// the code recording `{ route }`. The label vanished from every series, nothing counted it, and
// only an SLO filtering on it showed anything (sli-series-absent). An attribute an instrument does
// not declare is no label (OTel keeps it on exemplars only), so it is now counted where a series is
// created: plumbline_metrics_undeclared_attributes_total{metric,attribute}, exemplars on or off.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';

const spec = {
  service: { name: 'shop' },
  events: {},
  histograms: {
    'shop.request.duration': {
      description: 'Requests.',
      unit: 's',
      attributes: ['http.route'],
      buckets: { boundaries: [0.1, 1] },
    },
    'shop.work.duration': {
      description: 'Work, no attributes.',
      unit: 's',
      buckets: { boundaries: [0.1, 1] },
      exemplars: { enabled: false },
    },
  },
  counters: { 'shop.orders': { description: 'Orders.', attributes: ['tier'] } },
  gauges: { 'shop.queue.depth': { description: 'Queue depth.', attributes: ['queue'] } },
} as const;

const UNDECLARED = 'plumbline_metrics_undeclared_attributes_total';

function undeclared(body: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const match of body.matchAll(
    /^plumbline_metrics_undeclared_attributes_total\{metric="([^"]+)",attribute="([^"]+)"\} (\d+)$/gm,
  ))
    found[`${match[1]} ${match[2]}`] = Number(match[3]);
  return found;
}

describe('regression: an undeclared histogram attribute was invisible', () => {
  it('counts the old key after a rename, per series it created, and never a declared one', () => {
    const metrics = createMetrics(spec);
    expect(metrics.serialize().body).not.toContain(`${UNDECLARED}{`);
    const requests = metrics.histogram('shop.request.duration');
    for (const route of ['/a', '/b', '/a']) requests.record(0.2, { route });
    requests.record(0.2, { 'http.route': '/orders/:id' });
    // The old key made one series (no http.route), the declared key another: one series carried it.
    expect(undeclared(metrics.serialize().body)).toEqual({ 'shop.request.duration route': 1 });
    requests.record(0.2, { 'http.route': '/users', route: '/users' });
    expect(undeclared(metrics.serialize().body)).toEqual({ 'shop.request.duration route': 2 });
  });

  it('is seen with exemplars off, on an instrument without attributes, on counters, gauges and bound handles', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const work = metrics.histogram('shop.work.duration');
    work.record(0.5);
    work.record(0.5, {});
    work.record(0.5, { tenant: 'acme' });
    work.record(0.5, { tenant: 'acme', region: 'eu' });
    metrics.counter('shop.orders').add(1, { tier: 'gold', customer: 'c-1' });
    metrics.gauge('shop.queue.depth').set(3, { queue: 'mail', host: 'a' });
    metrics.histogram('shop.request.duration').bind({ 'http.route': '/x', method: 'GET' }).record(0.1);
    expect(undeclared(metrics.serialize().body)).toEqual({
      // Without declared attributes, the first measurement that carries any is the one looked at.
      'shop.work.duration tenant': 1,
      'shop.orders customer': 1,
      'shop.queue.depth host': 1,
      'shop.request.duration method': 1,
    });
  });

  it('keeps at most 16 names per instrument and counts the rest under (other)', () => {
    const metrics = createMetrics(spec);
    const requests = metrics.histogram('shop.request.duration');
    for (let i = 0; i < 20; i++) requests.record(0.2, { 'http.route': `/r${i}`, [`key${i}`]: 'v' });
    const found = undeclared(metrics.serialize().body);
    expect(Object.keys(found)).toHaveLength(17);
    expect(found['shop.request.duration (other)']).toBe(4);
    expect(found['shop.request.duration key0']).toBe(1);
  });
});
