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

// The spec's HTTP server histogram, as the OTel convention names its attributes.
app.use((request, response, next) => {
  const started = performance.now();
  response.once('finish', () => {
    const status = response.statusCode;
    httpDuration.record((performance.now() - started) / 1000, {
      'http.request.method': request.method,
      'http.route': request.route?.path ?? request.path,
      'http.response.status_code': status,
      'url.scheme': 'http',
      ...(status >= 500 ? { 'error.type': String(status) } : {}),
    });
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

app.get('/metrics', (request, response) => telemetry.metricsHandler(request, response));

app.listen(port, '127.0.0.1');
