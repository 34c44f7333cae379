import { Ajv2020 } from 'ajv/dist/2020.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEventLogger,
  createTelemetry,
  defineTelemetry,
  specLineSchemaDocument,
  type Telemetry,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'storm' },
  events: {
    'request.rejected': {
      level: 'warn',
      budget: { linesPerSecond: 10 },
      fields: { reason: { type: 'string' }, size: { type: 'integer' } },
    },
    'request.accepted': { level: 'info', fields: { size: { type: 'integer' } } },
  },
});

const validator = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(spec));

function setup(destination: { write(line: string): void }) {
  let now = 1_700_000_000_000;
  const suppressed: string[] = [];
  const log = createEventLogger(spec, {
    destination,
    now: () => now,
    onSuppressed: (event) => suppressed.push(event),
  });
  return { log, suppressed, advance: (ms: number) => (now += ms) };
}

describe('event rate budget', () => {
  it('writes up to the budget, counts the rest, and the next written line carries how many were left out', () => {
    const captured = captureLines();
    const { log, suppressed, advance } = setup(captured.destination);
    for (let i = 0; i < 100; i++) log.event('request.rejected', { reason: 'too_big', size: i });
    // Events without a budget are never held back.
    for (let i = 0; i < 50; i++) log.event('request.accepted', { size: i });
    expect(captured.lines.filter((l) => l.event === 'request.rejected')).toHaveLength(10);
    expect(captured.lines.filter((l) => l.event === 'request.accepted')).toHaveLength(50);
    expect(suppressed).toHaveLength(90);
    expect(new Set(suppressed)).toEqual(new Set(['request.rejected']));
    advance(1000);
    log.event('request.rejected', { reason: 'too_big', size: 1 });
    log.event('request.rejected', { reason: 'too_big', size: 2 });
    const [first, second] = captured.lines.filter((l) => l.event === 'request.rejected').slice(-2);
    expect(first).toMatchObject({ size: 1, suppressed: 90 });
    expect(second).not.toHaveProperty('suppressed');
    // A line that breaks its schema is written too, and carries the count.
    for (let i = 0; i < 20; i++) log.event('request.rejected', { reason: 'x', size: i });
    advance(100);
    log.event('request.rejected', { reason: 7, size: 1 } as never);
    const marked = captured.lines.at(-1)!;
    expect(marked.schema_violations).toEqual([{ field: 'reason', reason: 'wrong_type' }]);
    expect(marked.suppressed).toBe(12);
    for (const line of captured.lines) expect(validator(line), JSON.stringify(validator.errors)).toBe(true);
  });

  it('writes the count where pino would, on the compiled path and on pino’s', () => {
    const compiled = captureLines();
    const viaPino = captureLines();
    const a = setup(compiled.destination);
    const b = setup({
      write: (line: string) => viaPino.destination.write(line),
      [pino.symbols.needsMetadataGsym]: true,
    } as { write(line: string): void });
    for (const { log, advance } of [a, b]) {
      for (let i = 0; i < 15; i++) log.event('request.rejected', { reason: 'r', size: i });
      advance(1000);
      log.event('request.rejected', { size: 3, reason: 'last' });
    }
    const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '');
    expect(compiled.raw.map(withoutTime)).toEqual(viaPino.raw.map(withoutTime));
    expect(compiled.lines.at(-1)).toMatchObject({ suppressed: 5 });
  });
});

describe('createTelemetry with an event rate budget', () => {
  let telemetry: Telemetry<typeof spec> | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
  });

  it('counts left-out lines on plumbline_log_suppressed_total, at 0 from the first scrape', () => {
    const captured = captureLines();
    telemetry = createTelemetry(spec, { logDestination: captured.destination });
    expect(telemetry.metrics.serialize().body).toContain(
      'plumbline_log_suppressed_total{event="request.rejected"} 0',
    );
    for (let i = 0; i < 25; i++) telemetry.log.event('request.rejected', { reason: 'r', size: i });
    // Real clock: a slow machine may refill a token during the loop.
    const written = captured.lines.length;
    expect(written).toBeGreaterThanOrEqual(10);
    expect(written).toBeLessThan(25);
    expect(telemetry.metrics.serialize().body).toContain(
      `plumbline_log_suppressed_total{event="request.rejected"} ${25 - written}`,
    );
  });
});

describe('an event rate budget keyed by a field', () => {
  const keyed = defineTelemetry({
    service: { name: 'storm' },
    events: {
      'request.rejected': {
        level: 'warn',
        budget: { linesPerSecond: 5, key: 'reason' },
        fields: { reason: { type: 'string', enum: ['queue_full', 'invalid'] }, size: { type: 'integer' } },
      },
    },
  });

  it('gives each value its own budget: a storm of one reason leaves the other reason’s lines alone', () => {
    const captured = captureLines();
    let now = 1_700_000_000_000;
    const suppressed: string[] = [];
    const log = createEventLogger(keyed, {
      destination: captured.destination,
      now: () => now,
      onSuppressed: (event) => suppressed.push(event),
    });
    for (let i = 0; i < 200; i++) log.event('request.rejected', { reason: 'queue_full', size: i });
    for (let i = 0; i < 5; i++) log.event('request.rejected', { reason: 'invalid', size: i });
    const byReason = (reason: string) => captured.lines.filter((line) => line.reason === reason);
    expect(byReason('queue_full')).toHaveLength(5);
    expect(byReason('invalid')).toHaveLength(5);
    expect(suppressed).toHaveLength(195);
    // Each value's next written line carries the count its own budget left out.
    now += 1000;
    log.event('request.rejected', { reason: 'invalid', size: 9 });
    log.event('request.rejected', { reason: 'queue_full', size: 9 });
    expect(byReason('invalid').at(-1)).not.toHaveProperty('suppressed');
    expect(byReason('queue_full').at(-1)).toMatchObject({ suppressed: 195 });
    const lineValidator = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(keyed));
    for (const line of captured.lines)
      expect(lineValidator(line), JSON.stringify(lineValidator.errors)).toBe(true);
  });

  it('refuses a key that names no field, or a field without an enum, naming the place', () => {
    const events = (budget: { linesPerSecond: number; key: string }) => ({
      service: { name: 'storm' },
      events: {
        'request.rejected': {
          level: 'warn' as const,
          budget,
          fields: { reason: { type: 'string' as const, enum: ['a'] }, detail: { type: 'string' as const } },
        },
      },
    });
    expect(() => defineTelemetry(events({ linesPerSecond: 5, key: 'reasn' }))).toThrow(
      /events\["request\.rejected"\]\.budget\.key: names no field of the event; did you mean "reason"\?/,
    );
    expect(() => defineTelemetry(events({ linesPerSecond: 5, key: 'detail' }))).toThrow(
      /events\["request\.rejected"\]\.budget\.key: must name a required string field with an enum/,
    );
  });
});
