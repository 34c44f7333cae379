// Regression (hostile-traffic trial): security events fold in their own stream (repeats of one
// event from one source become one summary line with a count), but every event also went to OTel
// Logs as a record of its own: 40,000 `auth.failed` events made 10 folded lines in the security
// file and 40,000 OTLP log records, filling the log export queue the app's other records share.
// OTel Logs now gets what the stream writes: the first sightings, and the summaries with their
// counts. Real parts: the event logger with a recording bridge, as createTelemetry wires it.
import { describe, expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import type { LogBridge } from '../../src/logs/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

describe('security flood unfolded in OTel Logs', () => {
  it('sends OTel Logs the folded stream, with counts that add up', async () => {
    const security = captureLines();
    const records: { event: string; attributes: Record<string, unknown> }[] = [];
    const bridge: LogBridge = { emit: (event, _level, attributes) => records.push({ event, attributes }) };
    const log = createEventLogger(spec, {
      destination: captureLines().destination,
      securityDestination: security.destination,
      security: { foldWindowMs: 60_000, maxLinesPerWindow: 20 },
      bridge,
    });
    for (let i = 0; i < 40_000; i++)
      log.event('auth.failed', { source: `10.0.0.${i % 5}`, outcome: 'denied' });
    await log.close();

    // 5 first sightings and their 5 summaries, in the file and in OTel Logs alike.
    expect(security.lines).toHaveLength(10);
    expect(records).toHaveLength(10);
    expect(records.reduce((sum, record) => sum + (record.attributes.count as number), 0)).toBe(40_000);
    expect(records.filter((record) => record.attributes.summary === true)).toHaveLength(5);
    for (const record of records) expect(record.event).toBe('auth.failed');
  });
});
