// The consumer app's telemetry spec: one event per route, the duration histogram with
// exemplars, the OTel HTTP server histogram the docs recommend (instrumentation-http records one
// of that name too), server spans held to the HTTP convention, and a tail-sampling chain whose
// baseline keeps every trace (so every exported span carries the policy that kept it).
import { defineTelemetry } from 'plumbline';

export const spec = defineTelemetry({
  service: { name: 'consumer-shop', version: '1.0.0' },
  events: {
    'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } },
    'order.failed': { level: 'error', fields: { order_id: { type: 'string' }, reason: { type: 'string' } } },
  },
  histograms: {
    'app.request.duration': {
      description: 'Request latency, measured in the handler.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
      exemplars: { minValue: 0 },
    },
    'http.server.request.duration': {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
    },
  },
  spans: { server: { convention: 'http' } },
  sampling: {
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'slow', kind: 'latency', thresholdMs: 200 },
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 1000 },
    ],
  },
});
