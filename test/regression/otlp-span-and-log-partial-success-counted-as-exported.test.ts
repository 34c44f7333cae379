// Regression (export review): OTel's OTLP/HTTP span and log exporters took a collector's partial
// success (an accepted export whose answer says some spans or log records were rejected) as a
// clean export: the rejected items were counted exported and only a diag warning said otherwise,
// so nothing on /metrics showed the loss (plumbline's own metric exporter counts its rejected
// data points). They are now counted on plumbline_otlp_rejected_spans_total and
// plumbline_otlp_rejected_log_records_total. Real parts: createTelemetry's OTLP export to an
// OTLP/HTTP receiver on 127.0.0.1 answering with a partialSuccess, real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver whose every answer on /v1/traces and /v1/logs is the given partial success. */
async function partialCollector(answers: Record<string, unknown>) {
  const posts: Record<string, number> = {};
  const port = await serveOnFreePort((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '';
      posts[path] = (posts[path] ?? 0) + 1;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(answers[path] ?? {}));
    });
  }, cleanups);
  return { url: `http://127.0.0.1:${port}`, posts };
}

function series(body: string, name: string): number | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** One span and one event line exported to a collector answering with `answers`; the /metrics text after. */
async function exportOnceTo(answers: Record<string, unknown>): Promise<string> {
  const collector = await partialCollector(answers);
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: collector.url,
    registerGlobal: false,
  });
  cleanups.push(() => telemetry.shutdown());
  telemetry.tracer.startSpan('GET /a').end();
  telemetry.log.event('order.viewed', { order_id: 'o-1' });
  await telemetry.forceFlush();
  expect(collector.posts['/v1/traces'], 'span exports').toBe(1);
  expect(collector.posts['/v1/logs'], 'log exports').toBe(1);
  return telemetry.metrics.serialize().body;
}

describe('a partial success of an OTLP span or log export', () => {
  it('counts the spans and log records the collector rejected', async () => {
    const body = await exportOnceTo({
      '/v1/traces': { partialSuccess: { rejectedSpans: '2', errorMessage: 'span too large' } },
      // A number as well as OTLP/JSON's decimal string.
      '/v1/logs': { partialSuccess: { rejectedLogRecords: 3, errorMessage: 'record too large' } },
    });
    // Before: neither series existed; the items were counted exported and nothing else.
    expect(series(body, 'plumbline_otlp_rejected_spans_total')).toBe(2);
    expect(series(body, 'plumbline_otlp_rejected_log_records_total')).toBe(3);
  });

  it('counts nothing for an answer without a partial success, or with one that rejected nothing', async () => {
    const body = await exportOnceTo({
      '/v1/traces': {},
      '/v1/logs': { partialSuccess: { rejectedLogRecords: '0', errorMessage: '' } },
    });
    expect(series(body, 'plumbline_otlp_rejected_spans_total') ?? 0).toBe(0);
    expect(series(body, 'plumbline_otlp_rejected_log_records_total') ?? 0).toBe(0);
  });
});
