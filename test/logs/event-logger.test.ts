import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventLogger,
  REDACTED,
  SchemaViolationError,
  specLineSchemaDocument,
} from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});

function setup(options: { strict?: boolean } = {}) {
  const captured = captureLines();
  const violations: Array<[string, string]> = [];
  const log = createEventLogger(ordersSpec, {
    destination: captured.destination,
    strict: options.strict,
    onViolation: (event, reason) => violations.push([event, reason]),
  });
  return { log, ...captured, violations };
}

const validator = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(ordersSpec));
function expectValidLine(line: unknown) {
  const ok = validator(line);
  expect(validator.errors ?? [], JSON.stringify(line)).toEqual([]);
  expect(ok).toBe(true);
}

describe('event envelope', () => {
  it('writes one JSON object with the stable envelope and no trace fields outside a span', () => {
    const { log, lines, raw } = setup();
    log.event('order.placed', { order_id: 'o-1', amount: 12.5, items: 2 });
    expect(raw).toHaveLength(1);
    expect(raw[0]!.trimEnd().includes('\n')).toBe(false);
    const line = lines[0]!;
    expect(Object.keys(line).slice(0, 5)).toEqual(['level', 'time', 'service', 'event', 'schema_version']);
    expect(line).toMatchObject({
      level: 'info',
      event: 'order.placed',
      service: 'orders',
      schema_version: '3',
      order_id: 'o-1',
      amount: 12.5,
      items: 2,
    });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(line).not.toHaveProperty('trace_id');
    expect(line).not.toHaveProperty('span_id');
    expect(line).not.toHaveProperty('schema_violations');
    expectValidLine(line);
  });

  it('carries the active span’s trace_id, span_id and trace_flags inside a span', () => {
    const { log, lines } = setup();
    const tracer = new BasicTracerProvider().getTracer('test');
    let traceId = '';
    let spanId = '';
    tracer.startActiveSpan('work', (span) => {
      traceId = span.spanContext().traceId;
      spanId = span.spanContext().spanId;
      log.event('order.failed', { order_id: 'o-2', reason: 'no stock' });
      span.end();
    });
    const line = lines[0]!;
    expect(line.trace_id).toBe(traceId);
    expect(line.span_id).toBe(spanId);
    expect(line.trace_flags).toBe('01');
    expect(line.level).toBe('error');
    const keys = Object.keys(line);
    expect(keys.indexOf('trace_id')).toBeLessThan(keys.indexOf('order_id'));
    expectValidLine(line);
  });

  it('takes the trace IDs from an explicit context, over the active one, with no context made active', () => {
    const { log, lines } = setup();
    const tracer = new BasicTracerProvider().getTracer('test');
    const request = tracer.startSpan('request', {}, ROOT_CONTEXT);
    const requestContext = trace.setSpan(ROOT_CONTEXT, request);
    log.event('order.failed', { order_id: 'o-4', reason: 'explicit' }, requestContext);
    tracer.startActiveSpan('other', (other) => {
      log.event('order.failed', { order_id: 'o-5', reason: 'explicit wins' }, requestContext);
      log.event('order.failed', { order_id: 'o-6', reason: 'active' });
      other.end();
      expect(lines[2]!.trace_id).toBe(other.spanContext().traceId);
    });
    request.end();
    for (const line of lines.slice(0, 2)) {
      expect(line.trace_id).toBe(request.spanContext().traceId);
      expect(line.span_id).toBe(request.spanContext().spanId);
    }
    expect(lines[0]!.trace_id).not.toBe(lines[2]!.trace_id);
    // A context without a span writes no trace fields even inside an active span.
    tracer.startActiveSpan('ignored', (span) => {
      log.event('order.failed', { order_id: 'o-7', reason: 'no span' }, ROOT_CONTEXT);
      span.end();
    });
    expect(lines[3]).not.toHaveProperty('trace_id');
    expectValidLine(lines[0]);
  });

  it('follows the span across await', async () => {
    const { log, lines } = setup();
    const tracer = new BasicTracerProvider().getTracer('test');
    await tracer.startActiveSpan('async', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.event('order.failed', { order_id: 'o-3', reason: 'timeout' });
      span.end();
      expect(lines[0]!.trace_id).toBe(span.spanContext().traceId);
    });
  });

  it('writes nothing and validates nothing for an event below the level', () => {
    const { log, lines, violations } = setup();
    // cache.miss is debug; the default level is info. Even bad input costs nothing.
    log.event('cache.miss', { key: 42 } as never);
    expect(lines).toEqual([]);
    expect(violations).toEqual([]);
  });
});

describe('redaction', () => {
  it('replaces sensitive fields before the line is written', () => {
    const { log, lines, raw } = setup();
    log.event('order.placed', { order_id: 'o-4', amount: 1, items: 1, card_number: '4111111111111111' });
    expect(lines[0]!.card_number).toBe(REDACTED);
    expect(raw.join('')).not.toContain('4111111111111111');
    expectValidLine(lines[0]);
  });

  it('redacts sensitive fields on violation lines too', () => {
    const { log, raw } = setup();
    log.event('order.placed', { order_id: 5, amount: 1, items: 1, card_number: 'secret-pan' } as never);
    expect(raw.join('')).not.toContain('secret-pan');
  });
});

describe('violations', () => {
  it('unknown event: a warn line with the field names only, counted as (unknown)', () => {
    const { log, lines, violations } = setup();
    (log.event as (name: string, fields: unknown) => void)('order.refunded', { order_id: 'x', secret: 'y' });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      event: 'order.refunded',
      unknown_fields: ['order_id', 'secret'],
      schema_violations: [{ reason: 'unknown_event' }],
    });
    expect(JSON.stringify(lines[0])).not.toContain('"y"');
    expect(violations).toEqual([['(unknown)', 'unknown_event']]);
    expectValidLine(lines[0]);
  });

  it.each([
    ['missing_field', { order_id: 'a', amount: 1 }, 'items'],
    ['unknown_field', { order_id: 'a', amount: 1, items: 1, colour: 'red' }, 'colour'],
    ['wrong_type', { order_id: 'a', amount: '1', items: 1 }, 'amount'],
    ['wrong_type', { order_id: 'a', amount: 1, items: 1.5 }, 'items'],
    ['not_in_enum', { order_id: 'a', amount: 1, items: 1, channel: 'fax' }, 'channel'],
  ])('%s keeps the valid fields and marks the line', (reason, fields, field) => {
    const { log, lines, violations } = setup();
    log.event('order.placed', fields as never);
    const line = lines[0]!;
    expect(line.schema_violations).toEqual([{ field, reason }]);
    expect(line.order_id).toBe('a');
    if (reason !== 'missing_field') expect(line).not.toHaveProperty(field);
    expect(violations).toEqual([['order.placed', reason]]);
    expectValidLine(line);
  });

  it('too_long: a string over its cap is cut and marked', () => {
    const { log, lines, violations } = setup();
    log.event('order.placed', { order_id: 'a', amount: 1, items: 1, note: 'x'.repeat(100) });
    expect(lines[0]!.note).toBe('x'.repeat(32));
    expect(lines[0]!.schema_violations).toEqual([{ field: 'note', reason: 'too_long' }]);
    expect(violations).toEqual([['order.placed', 'too_long']]);
    expectValidLine(lines[0]);
  });

  it('not_an_object: fields that are not an object', () => {
    const { log, lines, violations } = setup();
    log.event('order.placed', 'oops' as never);
    log.event('order.placed', null as never);
    log.event('order.placed', [1, 2] as never);
    expect(lines.map((l) => l.schema_violations)).toEqual([
      [{ reason: 'not_an_object' }],
      [{ reason: 'not_an_object' }],
      [{ reason: 'not_an_object' }],
    ]);
    expect(violations.map(([, r]) => r)).toEqual(['not_an_object', 'not_an_object', 'not_an_object']);
  });

  it('strict mode throws a clear error instead', () => {
    const { log, lines } = setup({ strict: true });
    expect(() => log.event('order.placed', { order_id: 'a', amount: '1', items: 1 } as never)).toThrow(
      SchemaViolationError,
    );
    expect(() => log.event('order.placed', { order_id: 'a', amount: '1', items: 1 } as never)).toThrow(
      /event "order.placed" broke its schema: amount: wrong_type/,
    );
    expect(lines).toEqual([]);
  });

  it('unknown field names are capped like unknown event names, and at most 32 listed, the rest counted', () => {
    const { log, lines, violations } = setup();
    const unknown = (name: string, fields: unknown) =>
      (log.event as (n: string, f: unknown) => void)(name, fields);
    const long = `${'n'.repeat(127)}\u{1F600}${'n'.repeat(1000)}`;
    log.event('order.placed', { order_id: 'a', amount: 1, items: 1, [long]: 1 } as never);
    // Cut inside the surrogate pair: valid UTF-8 all the same, as for event names.
    expect(lines[0]!.schema_violations).toEqual([
      { field: `${'n'.repeat(127)}\ufffd`, reason: 'unknown_field' },
    ]);

    const many: Record<string, unknown> = { order_id: 'a', amount: 'x', items: 1 };
    for (let i = 0; i < 40; i++) many[`extra_${i}`] = i;
    log.event('order.placed', many as never);
    expect(lines[1]!.schema_violations).toEqual([
      ...Array.from({ length: 32 }, (_, i) => ({ field: `extra_${i}`, reason: 'unknown_field' })),
      { field: 'amount', reason: 'wrong_type' },
      { reason: 'unknown_field', omitted: 8 },
    ]);
    expect(lines[1]!.order_id).toBe('a');
    expect(violations.filter(([, reason]) => reason === 'unknown_field')).toHaveLength(1 + 40);

    unknown('x'.repeat(1000), many);
    expect(lines[2]!.event).toBe('x'.repeat(128));
    expect(lines[2]!.unknown_fields).toEqual(Object.keys(many).slice(0, 32));
    expect(lines[2]!.unknown_fields_omitted).toBe(43 - 32);
    unknown('order.refunded', { order_id: 'x' });
    expect(lines[3]).not.toHaveProperty('unknown_fields_omitted');
    for (const line of lines) expectValidLine(line);
  });

  it('strict mode names capped fields and counts the unlisted ones in its error', () => {
    const { log } = setup({ strict: true });
    const fields: Record<string, unknown> = { order_id: 'a', amount: 1, items: 1, ['f'.repeat(50_000)]: 1 };
    for (let i = 0; i < 40; i++) fields[`extra_${i}`] = i;
    let error: SchemaViolationError | undefined;
    try {
      log.event('order.placed', fields as never);
    } catch (thrown) {
      error = thrown as SchemaViolationError;
    }
    expect(error?.message).toContain(`${'f'.repeat(128)}: unknown_field, extra_0: unknown_field`);
    expect(error?.message).toMatch(/extra_30: unknown_field, \(9 more\): unknown_field$/);
    expect(error!.message.length).toBeLessThan(1000);
    expect(() => (log.event as (n: string, f: unknown) => void)('e'.repeat(50_000), {})).toThrow(
      new RegExp(`^event "${'e'.repeat(128)}" broke its schema: unknown_event$`),
    );
  });

  it('a throwing violation counter does not reach the caller', () => {
    const captured = captureLines();
    const log = createEventLogger(ordersSpec, {
      destination: captured.destination,
      onViolation: () => {
        throw new Error('counter broke');
      },
    });
    expect(() => log.event('order.placed', {} as never)).not.toThrow();
    expect(captured.lines).toHaveLength(1);
  });
});

describe('hostile values', () => {
  it('cyclic objects, BigInt, functions, symbols and undefined each have a defined outcome', () => {
    const { log, lines } = setup();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    log.event('order.placed', { order_id: 'c', amount: 1, items: 1, context: cyclic });
    expect(lines[0]!.context).toEqual({ a: 1, self: '[Circular]' });

    log.event('order.placed', { order_id: 'b', amount: 10n, items: 1 } as never);
    expect(lines[1]!.schema_violations).toEqual([{ field: 'amount', reason: 'wrong_type' }]);

    log.event('order.placed', { order_id: () => 1, amount: 1, items: 1 } as never);
    expect(lines[2]!.schema_violations).toEqual([{ field: 'order_id', reason: 'wrong_type' }]);

    log.event('order.placed', { order_id: Symbol('s'), amount: 1, items: 1 } as never);
    expect(lines[3]!.schema_violations).toEqual([{ field: 'order_id', reason: 'wrong_type' }]);

    // An optional field set to undefined is the same as absent.
    log.event('order.placed', { order_id: 'u', amount: 1, items: 1, express: undefined });
    expect(lines[4]).not.toHaveProperty('express');
    expect(lines[4]).not.toHaveProperty('schema_violations');

    log.event('order.placed', { order_id: 'n', amount: Number.NaN, items: 1 });
    expect(lines[5]!.schema_violations).toEqual([{ field: 'amount', reason: 'wrong_type' }]);

    log.event('order.placed', { order_id: 'd', amount: 1, items: 1, context: { big: 12n } });
    expect(lines[6]!.context).toEqual({ big: 12 });
    for (const line of lines) expectValidLine(line);
  });

  it('replaces lone surrogates so every line is valid UTF-8', () => {
    const { log, raw, lines } = setup();
    log.event('order.placed', { order_id: 'bad\ud800tail', amount: 1, items: 1 });
    expect(lines[0]!.order_id).toBe('bad\ufffdtail');
    expect(Buffer.from(raw[0]!, 'utf8').toString('utf8')).toBe(raw[0]);
  });

  it('keeps a newline and a fake envelope inside one field of one line', () => {
    const { log, raw, lines } = setup();
    const injected = 'ok"}\n{"level":"error","event":"order.failed","service":"orders"';
    log.event('order.failed', { order_id: injected, reason: '\u001b[31mred\u001b[0m' });
    expect(raw).toHaveLength(1);
    expect(raw[0]!.trimEnd().split('\n')).toHaveLength(1);
    expect(lines[0]!.order_id).toBe(injected);
  });

  it('never throws and always writes one schema-valid line for arbitrary input', () => {
    const { log, lines } = setup();
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('order.placed', 'order.failed', 'nope'), fc.string()),
        fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
        (name, fields) => {
          const before = lines.length;
          (log.event as (n: string, f: unknown) => void)(name, fields);
          expect(lines.length).toBe(before + 1);
          expectValidLine(lines[lines.length - 1]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('file destinations', () => {
  it('creates log files readable by the owner only, and writes every line', async () => {
    const { mkdtemp, readFile, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-logs-'));
    const path = join(dir, 'nested', 'events.ndjson');
    const log = createEventLogger(ordersSpec, { destination: path });
    for (let i = 0; i < 100; i++) log.event('order.failed', { order_id: `o-${i}`, reason: 'r' });
    await log.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(100);
  });
});
