// A fastify 5 service that uses plumbline the way the README shows, with NodeSDK started
// before it: createTelemetry(spec) returns the telemetry nodeSdkParts made.
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { createTelemetry } from 'plumbline';
import { spec } from './spec.mjs';

const telemetry = createTelemetry(spec);
const duration = telemetry.metrics.histogram('app.request.duration');
const httpDuration = telemetry.metrics.histogram('http.server.request.duration');
const app = Fastify({ logger: true });

// The spec's HTTP server histogram, as the OTel convention names its attributes: docs/nodesdk.md's
// recipe, once per request, a client that hung up 499.
app.addHook('onRequest', async (request, reply) => {
  let recorded = false;
  const record = (status) => {
    if (recorded) return;
    recorded = true;
    const attributes = {
      'http.request.method': request.method,
      'http.response.status_code': status,
      'url.scheme': request.protocol,
    };
    if (request.routeOptions.url !== undefined) attributes['http.route'] = request.routeOptions.url;
    if (status >= 500) attributes['error.type'] = String(status);
    httpDuration.record(reply.elapsedTime / 1000, attributes);
  };
  const { socket } = request.raw;
  reply.raw.once('finish', () => record(socket.errored ? 499 : reply.statusCode));
  reply.raw.once('close', () => record(499));
  request.raw.once('close', () => {
    if (socket.destroyed) record(499);
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

// A response in parts, and one larger than the socket buffers hold (aborted mid-response).
app.get('/stream', async (request, reply) => {
  const body = new PassThrough();
  body.write('part 1\n');
  setTimeout(() => {
    telemetry.log.event('order.viewed', { order_id: 'stream' });
    body.end('part 2\n');
  }, 300);
  return reply.type('text/plain').send(body);
});

app.get('/big', async (request, reply) => reply.type('text/plain').send(Buffer.alloc(32 << 20, 97)));

app.post('/orders', async (request, reply) => reply.code(201).send({ id: request.body.id }));

app.get('/metrics', (request, reply) => {
  reply.hijack();
  telemetry.metricsHandler(request.raw, reply.raw);
});

const port = Number(process.env.PORT);
await app.listen({ port, host: '127.0.0.1' });
