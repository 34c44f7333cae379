// The scrape reader's failed callbacks: each kind (failed, timed out) said in one line and counted
// by reason, the other instruments still served.
import { format } from 'node:util';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { meterProviderScrapeReader } from '../../src/telemetry/meter-provider-scrape-reader.js';

afterEach(() => diag.disable());

it('says a failed and a timed-out callback in a line each and counts them by reason', async () => {
  const calls: string[] = [];
  const write = (message: string, ...args: unknown[]) => calls.push(format(message, ...args));
  diag.setLogger({ error: write, warn: write, info: write, debug: write, verbose: write }, DiagLogLevel.WARN);
  const metrics = createMetrics(defineTelemetry({ service: { name: 'shop' }, events: {} }));
  const reader = meterProviderScrapeReader(metrics);
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('app');
  meter.createObservableGauge('app.cache.size').addCallback(() => new Promise<void>(() => {}));
  meter.createObservableGauge('app.queue.depth').addCallback(async () => {
    throw Object.assign(new Error('queue store unreachable'), { code: 'ECONNRESET' });
  });
  meter.createObservableGauge('app.workers').addCallback((result) => result.observe(4));

  // The scrape waits for the callbacks up to its 5 s collection timeout.
  const body = await reader.exposition('prometheus', new Set());
  expect(body).toMatch(/^app_workers 4$/m);
  expect([...calls].sort()).toEqual([
    'plumbline: /metrics could not read a meter-provider instrument (its callback failed): queue store unreachable (ECONNRESET)',
    'plumbline: /metrics could not read a meter-provider instrument (its callback took over 5 s): Operation timed out.',
  ]);
  const self = metrics.serialize().body;
  expect(self).toMatch(/^plumbline_meter_callback_errors_total\{reason="error"\} 1$/m);
  expect(self).toMatch(/^plumbline_meter_callback_errors_total\{reason="timeout"\} 1$/m);
  await provider.shutdown();
}, 20_000);
