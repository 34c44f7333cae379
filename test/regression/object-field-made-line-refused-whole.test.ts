// Regression: the values of `object` and `string[]` fields had no cap (strings have maxLength,
// 4,096 by default), so a hostile value made a line of any size: a 20 MB `context` made a line the
// 16 MiB destination refused whole, and the event was lost with its valid fields (counted only as
// a dropped log line). Now a list or object whose JSON is over its cap (the field's maxLength,
// else 16 KiB) is left out of the line, the line is marked too_long and the violation counted.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry, type TelemetrySpec } from '../../src/index.js';
import { DEFAULT_MAX_JSON_LENGTH, specLineSchemaDocument } from '../../src/logs/field-schema.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {
    'order.placed': {
      level: 'info',
      fields: {
        order_id: { type: 'string' },
        context: { type: 'object', required: false },
        tags: { type: 'string[]', required: false },
        small: { type: 'object', required: false, maxLength: 64 },
      },
    },
    'audit.read': {
      level: 'info',
      security: true,
      fields: {
        source: { type: 'string' },
        outcome: { type: 'string' },
        context: { type: 'object', required: false },
      },
    },
  },
});
const lineSchema = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(spec as TelemetrySpec));

let telemetry: Telemetry<typeof spec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function written(calls: (event: (name: string, fields: unknown) => void) => void) {
  const dir = await mkdtemp(join(tmpdir(), 'plumbline-long-object-'));
  const path = join(dir, 'events.ndjson');
  const securityPath = join(dir, 'security.ndjson');
  telemetry = createTelemetry(spec, { logDestination: path, securityLogDestination: securityPath });
  const log = telemetry.log as { event(name: string, fields: unknown): void };
  calls((name, fields) => log.event(name, fields));
  await telemetry.log.flush();
  const read = async (file: string) =>
    (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .filter((line) => line !== '');
  return {
    raw: await read(path),
    security: await read(securityPath),
    metrics: telemetry.metrics.serialize().body,
  };
}

describe('regression: an object field made a line the destination refused whole', () => {
  it('leaves out a 20 MB object and a 100,000-item list, keeps the rest of the line, and counts them', async () => {
    const { raw, metrics } = await written((event) => {
      event('order.placed', { order_id: 'o-1', context: { blob: 'x'.repeat(20_000_000) } });
      event('order.placed', { order_id: 'o-2', tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`) });
      event('order.placed', { order_id: 'o-3', context: { cart: 3 }, tags: ['a'] });
    });
    expect(raw).toHaveLength(3);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of raw) expect(Buffer.byteLength(line)).toBeLessThan(2_000);
    expect(lines[0]).toMatchObject({
      order_id: 'o-1',
      schema_violations: [{ field: 'context', reason: 'too_long' }],
    });
    expect(lines[0]).not.toHaveProperty('context');
    expect(lines[1]).toMatchObject({
      order_id: 'o-2',
      schema_violations: [{ field: 'tags', reason: 'too_long' }],
    });
    expect(lines[1]).not.toHaveProperty('tags');
    // Under the cap, as before: written whole, no violation.
    expect(lines[2]).toMatchObject({ order_id: 'o-3', context: { cart: 3 }, tags: ['a'] });
    expect(lines[2]).not.toHaveProperty('schema_violations');
    for (const line of lines) expect(lineSchema(line), JSON.stringify(lineSchema.errors)).toBe(true);
    expect(metrics).toContain(
      'plumbline_log_schema_violations_total{event="order.placed",reason="too_long"} 2',
    );
    expect(metrics).not.toMatch(/plumbline_telemetry_dropped_total\{[^}]*signal="log_line"[^}]*\} [1-9]/);
  });

  it('takes the field’s maxLength as the cap of its JSON, on a repaired line and a security event too', async () => {
    const { raw, security } = await written((event) => {
      event('order.placed', { order_id: 'o-4', small: { note: 'y'.repeat(100) } });
      event('order.placed', { order_id: 5, small: { note: 'y'.repeat(100) } }); // wrong type, repaired
      event('order.placed', { order_id: 'o-6', small: { note: 'short' } });
      event('audit.read', {
        source: '10.0.0.1',
        outcome: 'denied',
        context: { blob: 'z'.repeat(DEFAULT_MAX_JSON_LENGTH) },
      });
    });
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ schema_violations: [{ field: 'small', reason: 'too_long' }] });
    expect(lines[0]).not.toHaveProperty('small');
    expect(lines[1]!.schema_violations).toEqual([
      { field: 'order_id', reason: 'wrong_type' },
      { field: 'small', reason: 'too_long' },
    ]);
    expect(lines[1]).not.toHaveProperty('small');
    expect(lines[2]).toMatchObject({ small: { note: 'short' } });
    const audit = security.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audit.some((line) => JSON.stringify(line).includes('zzzz'))).toBe(false);
    expect(JSON.stringify(audit)).toContain('too_long');
  });
});
