// Regression (logs trial, ESM fastify 5 app under NodeSDK, OTel JS 3.x): a request body's lone
// surrogate (`"\ud800"`, which JSON.parse gives back as it is) inside an `object` or `string[]`
// field was written on the line as the escape `\ud800`, while a `string` field's became U+FFFD.
// The line then decoded back to an ill-formed string (serde_json-based pipelines refuse such an
// escape, and the whole line with it), and OTel Logs' record differed from the line: the OTLP
// exporter's encoding turned the same value into U+FFFD at the collector. Now every lone
// surrogate in a JSON field, value or key, is U+FFFD on the line and in OTel Logs, as the docs
// say, on the fast path, pino's validating path and the security stream. Real parts: the event
// logger over captured destinations and sdk-logs' in-memory exporter.
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { bridgedEventLogger } from '../support/bridged-event-logger.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.noted': {
      level: 'info',
      fields: {
        order_id: { type: 'string' },
        ctx: { type: 'object' },
        tags: { type: 'string[]', required: false },
      },
    },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' }, ctx: { type: 'object' } },
    },
  },
});

/** A lone surrogate as JSON writes it: `\ud800`-`\udfff` not itself escaped. */
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

it('lone-surrogate-in-object-field-escaped-on-line: U+FFFD on the line and in OTel Logs', async () => {
  const { log, exporter, provider, captured, security } = bridgedEventLogger(spec);
  // As a request body gives them: JSON.parse keeps lone surrogates from their escapes.
  const body = JSON.parse(
    '{"ctx":{"k\\ud83d":"v\\udfff","list":["\\ud800x"],"ok":"\\ud83d\\ude00","path":"C:\\\\ud800"},"tags":["a\\udc00"]}',
  ) as { ctx: Record<string, unknown>; tags: string[] };
  log.event('order.noted', { order_id: 'fast', ctx: body.ctx }); // the fast path
  log.event('order.noted', { order_id: 'tags', ctx: {}, tags: body.tags });
  (log as { event(name: string, fields: unknown): void }).event('order.noted', {
    order_id: 'slow',
    ctx: body.ctx,
    extra: 1, // an unknown field: pino's validating path
  });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied', ctx: body.ctx });
  await log.flush();
  await provider.forceFlush();

  const repaired = { 'k\uFFFD': 'v\uFFFD', list: ['\uFFFDx'], ok: '\u{1F600}', path: 'C:\\ud800' };
  for (const raw of [...captured.raw, ...security.raw]) expect(raw).not.toMatch(LONE_SURROGATE_ESCAPE);
  expect(captured.lines.map((line) => line.ctx)).toEqual([repaired, {}, repaired]);
  expect(captured.lines[1]!.tags).toEqual(['a\uFFFD']);
  expect(security.lines.map((line) => line.ctx)).toEqual([repaired]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual([repaired, {}, repaired, repaired]);
  expect(records[1]!.attributes.tags).toEqual(['a\uFFFD']);
  // Replacing it is no violation, as for a string field.
  expect(captured.lines.map((line) => line.schema_violations)).toEqual([
    undefined,
    undefined,
    [{ field: 'extra', reason: 'unknown_field' }],
  ]);
});
