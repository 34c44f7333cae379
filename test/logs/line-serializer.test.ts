import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { pinoOptions } from '../../src/logs/index.js';
import { LineSerializer } from '../../src/logs/line-serializer.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  schemaVersion: '7',
  events: {
    'order.placed': {
      level: 'warn',
      fields: {
        order_id: { type: 'string' },
        amount: { type: 'number' },
        items: { type: 'integer' },
        express: { type: 'boolean', required: false },
        card_number: { type: 'string', sensitive: true, required: false },
        pin: { type: 'integer', sensitive: true, required: false },
        channel: { type: 'string', enum: ['web', 'app', 'a"b'], required: false },
        tags: { type: 'string[]', required: false },
        note: { type: 'string', required: false, maxLength: 8 },
        comment: { type: 'string', required: false, untrusted: true },
        context: { type: 'object', required: false },
      },
    },
  },
});

/** A destination pino must describe each line to (as pino-pretty's is): pino's own path only. */
function pinoPathDestination(target: { write(line: string): void }) {
  return { write: (line: string) => target.write(line), [pino.symbols.needsMetadataGsym]: true };
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '"time":""');

const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};
const inSpan = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(spanContext));

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'a"b', 'back\\slash', 'line\nbreak', '\u001b[31m', 'bad\ud800', '\u2028\u2029', 'web'),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 1e21, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Infinity, true, false, null, undefined),
  fc.array(text, { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);
const fieldNames = fc.constantFrom(
  'order_id',
  'amount',
  'items',
  'express',
  'card_number',
  'pin',
  'channel',
  'tags',
  'note',
  'comment',
  'context',
  'colour',
);
const validish = fc.record(
  {
    order_id: text,
    amount: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), value),
    items: fc.oneof(fc.integer(), value),
    express: fc.oneof(fc.boolean(), value),
    card_number: text,
    pin: fc.oneof(fc.integer(), value),
    channel: fc.oneof(fc.constantFrom('web', 'app', 'a"b'), value),
    tags: fc.oneof(fc.array(text, { maxLength: 3 }), value),
    note: text,
    comment: text,
    context: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }), value),
  },
  { requiredKeys: [] },
);
const anyFields = fc.oneof(validish, fc.dictionary(fieldNames, value, { maxKeys: 6 }), fc.anything());

describe('compiled event lines', () => {
  it('write byte for byte what pino writes, and count the same violations, for any input', () => {
    const compiled = captureLines();
    const viaPino = captureLines();
    const compiledViolations: string[][] = [];
    const pinoViolations: string[][] = [];
    const compiledLog = createEventLogger(spec, {
      destination: compiled.destination,
      onViolation: (event, reason) => compiledViolations.push([event, reason]),
    });
    const pinoLog = createEventLogger(spec, {
      destination: pinoPathDestination(viaPino.destination),
      onViolation: (event, reason) => pinoViolations.push([event, reason]),
    });
    fc.assert(
      fc.property(anyFields, fc.boolean(), (fields, traced) => {
        const ctx = traced ? inSpan : ROOT_CONTEXT;
        compiledLog.event('order.placed', fields as never, ctx);
        pinoLog.event('order.placed', fields as never, ctx);
        expect(withoutTime(compiled.raw.at(-1)!)).toBe(withoutTime(viaPino.raw.at(-1)!));
        expect(compiledViolations).toEqual(pinoViolations);
      }),
      { numRuns: 1000 },
    );
    // Both paths were exercised: some lines valid, some marked.
    expect(compiled.lines.some((line) => line.schema_violations === undefined)).toBe(true);
    expect(compiled.lines.some((line) => line.schema_violations !== undefined)).toBe(true);
  });

  it('take the compiled path for a valid call, with the trace fields of the context and redaction', () => {
    const destination = captureLines();
    const logger = pino(pinoOptions(spec, 'info'), destination.destination).child(
      { event: 'order.placed', schema_version: '7' },
      { redact: { paths: ['["card_number"]', '["pin"]'], censor: '[REDACTED]' } },
    );
    const serializer = LineSerializer.compile(logger, spec.events['order.placed'])!;
    expect(serializer).toBeDefined();
    const fields = { items: 2, order_id: 'o-1', amount: 1.5, card_number: '4111', pin: 1234, tags: ['x'] };
    destination.destination.write(serializer.line(fields, inSpan)!);
    logger.warn({ trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: '01', ...fields });
    const [compiledLine, pinoLine] = destination.raw;
    expect(withoutTime(compiledLine!)).toBe(withoutTime(pinoLine!));
    expect(compiledLine).not.toContain('4111');
    expect(compiledLine).not.toContain('1234');
    expect(Object.keys(destination.lines[0]!)).toEqual([
      'level',
      'time',
      'service',
      'event',
      'schema_version',
      'trace_id',
      'span_id',
      'trace_flags',
      'items',
      'order_id',
      'amount',
      'card_number',
      'pin',
      'tags',
    ]);
    // Not plainly valid: nothing written, pino's path takes over.
    expect(serializer.line({ ...fields, colour: 'red' }, context.active())).toBeUndefined();
  });

  it('are not compiled for a stream that wants pino’s metadata (pino-pretty, multistream)', () => {
    const logger = pino(pinoOptions(spec, 'info'), pinoPathDestination(captureLines().destination));
    expect(LineSerializer.compile(logger, spec.events['order.placed'])).toBeUndefined();
  });
});
