// An express 5 service that uses plumbline the way the README shows, with NodeSDK started
// before it: createTelemetry(spec) returns the telemetry nodeSdkParts made.
import express from 'express';
import { createTelemetry } from 'plumbline';
import { spec } from './spec.mjs';

const telemetry = createTelemetry(spec);
const duration = telemetry.metrics.histogram('app.request.duration');
const httpDuration = telemetry.metrics.histogram('http.server.request.duration');
const app = express();
const port = Number(process.env.PORT);

// The spec's HTTP server histogram, as the OTel convention names its attributes: docs/nodesdk.md's
// recipe, once per request, a client that hung up 499.
app.use((request, response, next) => {
  const started = performance.now();
  let recorded = false;
  const record = (status) => {
    if (recorded) return;
    recorded = true;
    const attributes = {
      'http.request.method': request.method,
      'http.response.status_code': status,
      'url.scheme': request.protocol,
    };
    if (request.route !== undefined) attributes['http.route'] = (request.baseUrl ?? '') + request.route.path;
    if (status >= 500) attributes['error.type'] = String(status);
    httpDuration.record((performance.now() - started) / 1000, attributes);
  };
  response.once('finish', () => record(request.socket.errored ? 499 : response.statusCode));
  response.once('close', () => record(499));
  request.once('close', () => {
    if (request.socket.destroyed) record(499);
  });
  next();
});

app.get('/orders/:id', async (request, response) => {
  const started = performance.now();
  const { id } = request.params;
  // An outgoing call (undici, instrumented) inside the request's trace.
  await fetch(`http://127.0.0.1:${port}/inventory/${id}`).then((reply) => reply.text());
  telemetry.log.event('order.viewed', { order_id: id });
  duration.record((performance.now() - started) / 1000, { route: '/orders/:id' });
  response.json({ id });
});

app.get('/inventory/:id', (request, response) => {
  response.json({ id: request.params.id, stock: 3 });
});

app.get('/slow', async (request, response) => {
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 300));
  telemetry.log.event('order.viewed', { order_id: 'slow' });
  duration.record((performance.now() - started) / 1000, { route: '/slow' });
  response.json({ slow: true });
});

app.get('/fail', (request, response) => {
  telemetry.log.event('order.failed', { order_id: 'f-1', reason: 'out of stock' });
  response.status(500).json({ error: 'out of stock' });
});

// A response in parts, and one larger than the socket buffers hold (aborted mid-response).
app.get('/stream', async (request, response) => {
  response.write('part 1\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  telemetry.log.event('order.viewed', { order_id: 'stream' });
  response.end('part 2\n');
});

app.get('/big', (request, response) => {
  response.type('text/plain').end(Buffer.alloc(32 << 20, 97));
});

app.post('/orders', express.json(), (request, response) => {
  response.status(201).json({ id: request.body.id });
});

app.get('/metrics', (request, response) => telemetry.metricsHandler(request, response));

app.listen(port, '127.0.0.1');
