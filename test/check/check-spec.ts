// The spec the check tests share: the OTel HTTP server metric with SLO-aligned buckets and a
// tenant of its own, a counter, a gauge, events with a sensitive field, a budget keyed on tenant.
import { defineTelemetry } from '../../src/index.js';
import { HTTP_SERVER_DURATION_BUCKETS } from '../../src/spec/semconv-http.js';

export const checkSpec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  schemaVersion: '1',
  events: {
    'order.placed': {
      level: 'info',
      inSpan: true,
      fields: {
        order_id: { type: 'string' },
        card_number: { type: 'string', sensitive: true, required: false },
      },
    },
    'cache.evicted': { level: 'info', fields: { keys: { type: 'integer' } } },
  },
  counters: {
    'shop.orders': { description: 'Orders placed.', unit: '{order}', attributes: ['tenant'] },
  },
  gauges: {
    'shop.queue.depth': { description: 'Orders waiting.', unit: '{order}' },
  },
  histograms: {
    'http.server.request.duration': {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
        'tenant',
      ],
      cardinalityLimit: 50,
      buckets: { boundaries: HTTP_SERVER_DURATION_BUCKETS },
      exemplars: { minValue: 0.1 },
    },
  },
  slos: {
    latency: {
      description: 'Orders answered within 250 ms.',
      objective: 99,
      sli: {
        kind: 'latency',
        histogram: 'http.server.request.duration',
        threshold: 0.25,
        where: { 'http.route': ['/orders'] },
      },
    },
  },
  sampling: {
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'budget', kind: 'budget', tracesPerSecond: 10, key: 'tenant' },
    ],
  },
  spans: { server: { convention: 'http', attributes: ['tenant'] } },
});

/** The attributes of one conforming request. */
export const okRequest = {
  'http.request.method': 'POST',
  'http.route': '/orders',
  'http.response.status_code': 201,
  'url.scheme': 'http',
  tenant: 'acme',
} as const;
