// A drifted build of a blueprint-like service, run as its own process by the check-live e2e:
// it answers POST /events like the blueprint and serves /metrics, but writes event.rejected
// without the request's context (the drift: a code path that lost its span), so its lines carry
// no trace_id although the blueprint spec declares the event inSpan.
//   node --import tsx test/check/drifted-service.ts <port> <log path>
import { createServer } from 'node:http';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { spec } from '../../examples/blueprint/telemetry.js';
import { createTelemetry } from '../../src/index.js';

const [port = '0', logPath = 'drifted.ndjson'] = process.argv.slice(2);
const telemetry = createTelemetry(spec, { logDestination: logPath, tailSampling: false });
const duration = telemetry.metrics.histogram('http.server.request.duration');

const server = createServer((req, res) => {
  if (req.url === '/metrics') return telemetry.metricsHandler(req, res);
  const started = performance.now();
  const attributes = {
    'http.request.method': 'POST',
    'http.route': '/events',
    'http.response.status_code': 400,
    'url.scheme': 'http',
    tenant: 'checkout',
    outcome: 'rejected',
  } as const;
  const span = telemetry.tracer.startSpan(
    'POST /events',
    { kind: SpanKind.SERVER, attributes },
    ROOT_CONTEXT,
  );
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  // The drift: no context passed, none active, so the line has no trace_id.
  telemetry.log.event('event.rejected', { tenant: 'checkout', reason: 'invalid_event', status: 400 });
  res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_event"}');
  duration.record((performance.now() - started) / 1000, attributes, ctx);
  span.end();
});
server.listen(Number(port), '127.0.0.1', () => process.stderr.write('drifted service listening\n'));
process.on('SIGTERM', () => {
  server.close();
  void telemetry.shutdown().then(() => process.exit(0));
});
