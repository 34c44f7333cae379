// The event-log hot path: a schema-enforced event line against the same fields written by a
// bare pino child logger with the same options to the same kind of destination (a
// pino.destination to /dev/null, asynchronous, as services run it).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { createEventLogger, defineTelemetry } from '../src/index.js';
import { pinoOptions } from '../src/logs/index.js';
import { compare, comparedRow, type BenchRow } from './harness.js';

const BATCH_FIELDS = {
  tenant: { type: 'string' },
  batch_size: { type: 'integer' },
  flush_ms: { type: 'number' },
  first_id: { type: 'string' },
  degraded: { type: 'boolean', required: false },
} as const;

const spec = defineTelemetry({
  service: { name: 'bench' },
  events: {
    'batch.stored': {
      level: 'info',
      fields: BATCH_FIELDS,
    },
    // The same line under a keyed rate budget (one budget per tenant) it never exceeds: what the
    // budget's per-line work costs (the key read once, the fields read once for it).
    'batch.keyed': {
      level: 'info',
      fields: {
        tenant: { type: 'string', enum: ['acme', 'globex'] },
        batch_size: { type: 'integer' },
        flush_ms: { type: 'number' },
        first_id: { type: 'string' },
        degraded: { type: 'boolean', required: false },
      },
      budget: { linesPerSecond: 1e9, key: 'tenant' },
    },
    // The same line with an object field holding a nested object: such a field is walked for
    // values JSON writes otherwise (an Error, a Date: src/logs/rewritten-by-json.ts) on each line.
    'batch.annotated': {
      level: 'info',
      fields: { ...BATCH_FIELDS, source: { type: 'object' } },
    },
  },
});

const fields = { tenant: 'acme', batch_size: 42, flush_ms: 3.25, first_id: 'evt-000123', degraded: false };
const keyedFields = { ...fields, tenant: 'acme' as const };
const annotatedFields = { ...fields, source: { queue: 'orders', shard: { id: 3, zone: 'eu-1' } } };

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

  // Interleaved rounds: the bare pino child first, then log.event, so both see the same load.
  const outside = await compare([() => bare.info(fields), () => log.event('batch.stored', fields)]);

  const bareKeyed = pino(pinoOptions(spec, 'info'), devNull()).child({
    event: 'batch.keyed',
    schema_version: '1',
  });
  const keyed = await compare([
    () => bareKeyed.info(keyedFields),
    () => log.event('batch.keyed', keyedFields),
  ]);

  const bareAnnotated = pino(pinoOptions(spec, 'info'), devNull()).child({
    event: 'batch.annotated',
    schema_version: '1',
  });
  const annotated = await compare([
    () => bareAnnotated.info(annotatedFields),
    () => log.event('batch.annotated', annotatedFields),
  ]);

  const span = new BasicTracerProvider().getTracer('bench').startSpan('request');
  const spanContext = span.spanContext();
  const traced = { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: '01', ...fields };
  const activeContext = trace.setSpan(context.active(), span);
  const inside = await context.with(activeContext, () =>
    compare([() => bare.info(traced), () => log.event('batch.stored', fields)]),
  );
  span.end();
  context.disable();

  // Diagnostic: the same pair into a destination that takes one line per write (a plain object
  // with write(), as a test capture or a custom stream), where lines are not batched per turn:
  // what the compiled serializer alone saves over pino's generic path.
  let bytes = 0;
  const sink = { write: (line: string) => void (bytes += line.length) };
  const sinkLog = createEventLogger(spec, { destination: sink });
  const sinkBare = pino(pinoOptions(spec, 'info'), sink).child({
    event: 'batch.stored',
    schema_version: '1',
  });
  const oneLinePerWrite = await compare([
    () => sinkBare.info(fields),
    () => sinkLog.event('batch.stored', fields),
  ]);
  if (bytes === 0) throw new Error('bench: nothing written to the sink');

  return [
    comparedRow('log.event (no active span)', outside, 1, 0, 'pino child .info, same fields', '<= 0.6'),
    comparedRow(
      'log.event (inside a span)',
      inside,
      1,
      0,
      'pino child .info, same fields + trace ids',
      '<= 0.6',
    ),
    comparedRow(
      'log.event under a keyed line budget it never exceeds (no active span)',
      keyed,
      1,
      0,
      'pino child .info, same fields',
      '<= 0.6',
    ),
    comparedRow(
      'log.event with a nested object field (no active span)',
      annotated,
      1,
      0,
      'pino child .info, same fields',
      '<= 0.6',
    ),
    comparedRow(
      'log.event (no active span), one line per write (no batching)',
      oneLinePerWrite,
      1,
      0,
      'pino child .info, same fields, same destination',
      'report',
    ),
  ];
}
