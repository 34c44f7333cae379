// Regression: OTEL_PROPAGATORS, which NodeSDK reads to choose the headers a service sends and
// reads, was ignored by createTelemetry: it always installed W3C trace context and baggage, so a
// service that set OTEL_PROPAGATORS=tracecontext to keep its baggage (user IDs, tenant names)
// from reaching the services it calls still sent it (an outgoing request: a baggage header ->
// none), and `none` still sent traceparent. It is now read as NodeSDK reads it; a propagator
// createTelemetry does not have (b3, jaeger) is warned about and left out. Real HTTP: what a
// server on loopback receives from a request carrying the injected headers.
import { context, diag, DiagLogLevel, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const saved = process.env.OTEL_PROPAGATORS;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (saved === undefined) delete process.env.OTEL_PROPAGATORS;
  else process.env.OTEL_PROPAGATORS = saved;
});

/** The propagation headers a server receives from a request made inside a span with baggage. */
async function headersSent(propagators: string | undefined): Promise<string[]> {
  if (propagators === undefined) delete process.env.OTEL_PROPAGATORS;
  else process.env.OTEL_PROPAGATORS = propagators;
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((incoming, response) => {
    received.push(incoming.headers);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  const telemetry = createTelemetry(spec, { logDestination: captureLines().destination });
  cleanups.push(() => telemetry.shutdown());
  const span = telemetry.tracer.startSpan('checkout');
  const active = propagation.setBaggage(
    trace.setSpan(context.active(), span),
    propagation.createBaggage({ 'tenant.id': { value: 'acme' } }),
  );
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  span.end();
  await new Promise<void>((resolve, reject) =>
    request(`http://127.0.0.1:${port}/`, { headers }, (response) => response.resume().on('end', resolve))
      .on('error', reject)
      .end(),
  );
  return ['traceparent', 'tracestate', 'baggage', 'b3'].filter((name) => received[0]?.[name] !== undefined);
}

it('otel-propagators-ignored: unset, trace context and baggage as before', async () => {
  expect(await headersSent(undefined)).toEqual(['traceparent', 'baggage']);
});

it('otel-propagators-ignored: tracecontext alone keeps the baggage in the service', async () => {
  // Before: ['traceparent', 'baggage'].
  expect(await headersSent('tracecontext')).toEqual(['traceparent']);
});

it('otel-propagators-ignored: none sends nothing; a propagator it lacks is warned about and left out', async () => {
  expect(await headersSent(' none ')).toEqual([]);
  await Promise.all(
    cleanups
      .splice(0)
      .reverse()
      .map((cleanup) => cleanup()),
  );
  const warnings: string[] = [];
  const logger: DiagLogger = {
    error: () => {},
    warn: (message) => warnings.push(message),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
  cleanups.push(() => diag.disable());
  expect(await headersSent('b3, baggage')).toEqual(['baggage']);
  expect(warnings.filter((message) => message.includes('OTEL_PROPAGATORS'))).toEqual([
    'plumbline: OTEL_PROPAGATORS names "b3", which createTelemetry does not provide (it has tracecontext and ' +
      'baggage); left out. Register it yourself with propagation.setGlobalPropagator() before createTelemetry, ' +
      'which then keeps it.',
  ]);
});
