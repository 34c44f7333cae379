// A fastify 5 service that uses plumbline the way the README shows, with NodeSDK started
// before it: createTelemetry(spec) returns the telemetry nodeSdkParts made.
import Fastify from 'fastify';
import { createTelemetry } from 'plumbline';
import { spec } from './spec.mjs';

const telemetry = createTelemetry(spec);
const duration = telemetry.metrics.histogram('app.request.duration');
const httpDuration = telemetry.metrics.histogram('http.server.request.duration');
const app = Fastify({ logger: true });

// The spec's HTTP server histogram, as the OTel convention names its attributes.
app.addHook('onResponse', async (request, reply) => {
  const status = reply.statusCode;
  httpDuration.record(reply.elapsedTime / 1000, {
    'http.request.method': request.method,
    'http.route': request.routeOptions.url,
    'http.response.status_code': status,
    'url.scheme': 'http',
    ...(status >= 500 ? { 'error.type': String(status) } : {}),
  });
});

app.get('/orders/:id', async (request) => {
  const started = performance.now();
  const { id } = request.params;
  // An outgoing call (undici, instrumented) inside the request's trace.
  await fetch(`http://127.0.0.1:${port}/inventory/${id}`).then((response) => response.text());
  telemetry.log.event('order.viewed', { order_id: id });
  duration.record((performance.now() - started) / 1000, { route: '/orders/:id' });
  return { id };
});

app.get('/inventory/:id', async (request) => ({ id: request.params.id, stock: 3 }));

app.get('/slow', async () => {
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 300));
  telemetry.log.event('order.viewed', { order_id: 'slow' });
  duration.record((performance.now() - started) / 1000, { route: '/slow' });
  return { slow: true };
});

app.get('/fail', async (request, reply) => {
  telemetry.log.event('order.failed', { order_id: 'f-1', reason: 'out of stock' });
  return reply.code(500).send({ error: 'out of stock' });
});

app.get('/metrics', (request, reply) => {
  reply.hijack();
  telemetry.metricsHandler(request.raw, reply.raw);
});

const port = Number(process.env.PORT);
await app.listen({ port, host: '127.0.0.1' });
