// Regression: `log.event(name, fields)` with an unknown field whose name was 50,000 characters long
// wrote a line whose schema_violations[].field held the whole name (about 50 KB a line), and an
// object with 100,000 unknown keys listed every one of them: event names were capped at 128
// characters and string values at their maxLength, field names not at all. Now a field name is
// capped like an unknown event name, a line lists at most a fixed number of unknown fields and
// counts the rest, and every one of them is still counted on
// plumbline_log_schema_violations_total.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/index.js';
import { ordersSpec, type OrdersSpec } from '../fixtures/orders-spec.js';

const MAX_LINE_BYTES = 10_000;
const valid = { order_id: 'o-1', amount: 1, items: 1 };

let telemetry: Telemetry<OrdersSpec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** Writes the calls through a telemetry logging to a real file; the lines read back, and /metrics. */
async function written(calls: (event: (name: string, fields: unknown) => void) => void) {
  const path = join(await mkdtemp(join(tmpdir(), 'plumbline-long-field-')), 'events.ndjson');
  telemetry = createTelemetry(ordersSpec, { logDestination: path });
  const log = telemetry.log as { event(name: string, fields: unknown): void };
  calls((name, fields) => log.event(name, fields));
  await telemetry.log.flush();
  const raw = (await readFile(path, 'utf8')).trimEnd().split('\n');
  return {
    raw,
    lines: raw.map((line) => JSON.parse(line) as Record<string, unknown>),
    metrics: telemetry.metrics.serialize().body,
  };
}

describe('regression: an unknown field name is written in full', () => {
  it('caps a 50,000-character unknown field name, still lists and counts the violation', async () => {
    const name = 'f'.repeat(50_000);
    const { raw, lines, metrics } = await written((event) => {
      event('order.placed', { ...valid, [name]: 'x' });
      event('order.refunded', { [name]: 'x' });
    });
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(Buffer.byteLength(line)).toBeLessThan(MAX_LINE_BYTES);
    expect(lines[0]).toMatchObject({ event: 'order.placed', order_id: 'o-1', amount: 1, items: 1 });
    expect(lines[0]!.schema_violations).toEqual([{ field: 'f'.repeat(128), reason: 'unknown_field' }]);
    expect(lines[1]).toMatchObject({
      event: 'order.refunded',
      unknown_fields: ['f'.repeat(128)],
      schema_violations: [{ reason: 'unknown_event' }],
    });
    expect(metrics).toContain(
      'plumbline_log_schema_violations_total{event="order.placed",reason="unknown_field"} 1',
    );
    expect(metrics).toContain(
      'plumbline_log_schema_violations_total{event="(unknown)",reason="unknown_event"} 1',
    );
  });

  it('lists the first 32 of 100,000 unknown fields, counts the rest, and counts all on the metric', async () => {
    const fields: Record<string, unknown> = { ...valid };
    for (let i = 0; i < 100_000; i++) fields[`unknown_${i}_${'u'.repeat(200)}`] = i;
    const { raw, lines, metrics } = await written((event) => {
      event('order.placed', fields);
      event('order.refunded', fields);
    });
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(Buffer.byteLength(line)).toBeLessThan(MAX_LINE_BYTES);
    const listed = Array.from({ length: 32 }, (_, i) => `unknown_${i}_${'u'.repeat(200)}`.slice(0, 128));
    expect(lines[0]).toMatchObject({ event: 'order.placed', order_id: 'o-1', amount: 1, items: 1 });
    expect(lines[0]!.schema_violations).toEqual([
      ...listed.map((field) => ({ field, reason: 'unknown_field' })),
      { reason: 'unknown_field', omitted: 100_000 - 32 },
    ]);
    expect(lines[1]).toMatchObject({
      event: 'order.refunded',
      unknown_fields: ['order_id', 'amount', 'items', ...listed.slice(0, 29)],
      unknown_fields_omitted: 100_003 - 32,
      schema_violations: [{ reason: 'unknown_event' }],
    });
    expect(metrics).toContain(
      'plumbline_log_schema_violations_total{event="order.placed",reason="unknown_field"} 100000',
    );
  });
});
