// Regression (sampling review): since bab514f the budget policy cuts a key value longer than 2048
// UTF-8 bytes and counts each cut (BudgetPolicy.keysTruncated(), the error budget's since
// 7c393d0), but nothing read the count: not the sampler's stats(), not /metrics, so an operator
// could not see that a client sends such values (and that values alike up to the cut share one
// budget). It is now in stats().budgetKeysTruncated per budget policy (an errors budget's too),
// at 0 from the start as the ceiling drops are, and on /metrics as
// plumbline_sampler_budget_keys_truncated_total{policy}. Real parts: createTelemetry with the
// tail sampler, real SDK spans through its tracer, /metrics scraped over HTTP.
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { scrapeTelemetry } from '../support/scrape-telemetry.js';

let telemetry: Telemetry | undefined;
afterEach(async () => telemetry?.shutdown());

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 100, key: 'tenant' } },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 100, key: 'tenant' },
    ],
  },
});

const series = (text: string, policy: string) =>
  new RegExp(`^plumbline_sampler_budget_keys_truncated_total\\{policy="${policy}"\\} (\\d+)$`, 'm').exec(
    text,
  )?.[1];

describe('regression: budget key cuts not surfaced', () => {
  it("counts each budget policy's cuts in stats() and on /metrics, 0 from the start", async () => {
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    expect(telemetry.sampler!.stats().budgetKeysTruncated).toEqual({ errors: 0, baseline: 0 });
    const before = await scrapeTelemetry(telemetry);
    expect(series(before, 'errors')).toBe('0');
    expect(series(before, 'baseline')).toBe('0');

    const tracer = telemetry.tracerProvider.getTracer('regression');
    const long = 't'.repeat(1_000_000);
    // 5 ok traces with a 1 MB tenant (the baseline cuts them), 3 error traces with one (the
    // errors budget cuts them), 4 with a short tenant (no cut).
    for (let i = 0; i < 5; i++)
      tracer.startSpan('GET /a', { attributes: { tenant: long } }, ROOT_CONTEXT).end();
    for (let i = 0; i < 3; i++) {
      const span = tracer.startSpan('GET /a', { attributes: { tenant: long } }, ROOT_CONTEXT);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    for (let i = 0; i < 4; i++)
      tracer.startSpan('GET /a', { attributes: { tenant: 'acme' } }, ROOT_CONTEXT).end();
    await telemetry.forceFlush();

    expect(telemetry.sampler!.stats().budgetKeysTruncated).toEqual({ errors: 3, baseline: 5 });
    const after = await scrapeTelemetry(telemetry);
    expect(after).toMatch(/^# TYPE plumbline_sampler_budget_keys_truncated_total counter$/m);
    expect(series(after, 'errors')).toBe('3');
    expect(series(after, 'baseline')).toBe('5');
  });
});
