// The event-log hot path: a schema-enforced event line against the same fields written by a
// bare pino child logger with the same options to the same kind of destination.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { createEventLogger, defineTelemetry } from '../src/index.js';
import { pinoOptions } from '../src/logs/index.js';
import { measure, row, type BenchRow } from './harness.js';

const spec = defineTelemetry({
  service: { name: 'bench' },
  events: {
    'batch.stored': {
      level: 'info',
      fields: {
        tenant: { type: 'string' },
        batch_size: { type: 'integer' },
        flush_ms: { type: 'number' },
        first_id: { type: 'string' },
        degraded: { type: 'boolean', required: false },
      },
    },
  },
});

const fields = { tenant: 'acme', batch_size: 42, flush_ms: 3.25, first_id: 'evt-000123', degraded: false };

function devNull() {
  return pino.destination({ dest: '/dev/null', sync: false, minLength: 8 * 1024 });
}

export async function run(): Promise<BenchRow[]> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const log = createEventLogger(spec, { destination: devNull() });
  const bare = pino(pinoOptions(spec, 'info'), devNull()).child({
    event: 'batch.stored',
    schema_version: '1',
  });

  const outsideBare = await measure(() => bare.info(fields));
  const outside = await measure(() => log.event('batch.stored', fields));

  const span = new BasicTracerProvider().getTracer('bench').startSpan('request');
  const spanContext = span.spanContext();
  const traced = { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: '01', ...fields };
  const activeContext = trace.setSpan(context.active(), span);
  const insideBare = await context.with(activeContext, () => measure(() => bare.info(traced)));
  const inside = await context.with(activeContext, () => measure(() => log.event('batch.stored', fields)));
  span.end();
  context.disable();

  return [
    row('log.event (no active span)', outside, 'pino child .info, same fields', outsideBare, '<= 1.25'),
    row(
      'log.event (inside a span)',
      inside,
      'pino child .info, same fields + trace ids',
      insideBare,
      '<= 1.25',
    ),
  ];
}
