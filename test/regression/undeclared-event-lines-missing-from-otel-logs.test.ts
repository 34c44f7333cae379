// Regression (soak trial): every event line also goes to OTel Logs (docs/logs.md), except the
// lines of undeclared event names and of calls whose fields could not be read: a 10-minute soak
// wrote 706,542 lines and exported 706,402 log records, the 140 missing being exactly its
// unknown_event lines. Both now reach the bridge with the line's fields. Real parts: the event
// logger with a recording bridge, as createTelemetry wires the OTel Logs bridge.
import { describe, expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import type { LogBridge } from '../../src/logs/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

function setup() {
  const captured = captureLines();
  const records: { event: string; level: string; attributes: Record<string, unknown> }[] = [];
  const bridge: LogBridge = {
    emit: (event, level, attributes) => records.push({ event, level, attributes }),
  };
  const log = createEventLogger(ordersSpec, { destination: captured.destination, bridge });
  return { log, lines: captured.lines, records };
}

describe('undeclared event lines missing from OTel Logs', () => {
  it('an undeclared event name goes to OTel Logs as its line does', () => {
    const { log, lines, records } = setup();
    log.event('order.refunded' as never, { order_id: 'o-1', amount: 3 } as never);
    expect(lines).toHaveLength(1);
    expect(records).toEqual([
      {
        event: 'order.refunded',
        level: 'warn',
        attributes: {
          unknown_fields: ['order_id', 'amount'],
          schema_violations: [{ reason: 'unknown_event' }],
        },
      },
    ]);
  });

  it('a call whose fields cannot be read goes to OTel Logs as its line does', () => {
    const { log, lines, records } = setup();
    const fields = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
        get() {
          throw new Error('no values');
        },
      },
    );
    log.event('order.failed', fields as never);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.schema_violations).toEqual([{ reason: 'unreadable' }]);
    expect(records).toEqual([
      {
        event: 'order.failed',
        level: 'error',
        attributes: { schema_violations: [{ reason: 'unreadable' }] },
      },
    ]);
  });
});
