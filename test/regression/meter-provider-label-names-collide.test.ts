// Regression (metrics review, reader in the telemetry area): an instrument of the meter provider
// (auto-instrumentation's, `telemetry.meter`'s) whose attribute keys sanitize to one label name
// (`a.b` and `a_b`) was written with that label twice, {a_b="x",a_b="y"}: promtool refused the
// body ("duplicate label names") and Prometheus drops the whole target (up=0, "label name is not
// unique"). The scrape reader now merges them as the OTel spec's Prometheus compatibility says,
// a_b="x;y" (values in the keys' order). Real parts: createTelemetry's /metrics behind node:http
// on 127.0.0.1, in both formats, checked by promtool.
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the meter provider's instruments with attribute keys that sanitize alike", () => {
  for (const accept of ['text/plain; version=0.0.4', 'application/openmetrics-text; version=1.0.0']) {
    it(`are written with each label once (${accept.split(';')[0]})`, async () => {
      const telemetry = createTelemetry(spec, {
        logDestination: captureLines().destination,
        registerGlobal: false,
      });
      cleanups.push(() => telemetry.shutdown());
      const attributes = { 'a.b': 'x', a_b: 'y', route: '/a' };
      telemetry.meter.createCounter('app.jobs').add(2, attributes);
      telemetry.meter.createHistogram('app.wait', { unit: 's' }).record(0.2, attributes);
      const port = await serveOnFreePort(
        (request, response) => telemetry.metricsHandler(request, response),
        cleanups,
      );
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept } });
      const body = await response.text();
      // Before: promtool exited 1, "duplicate label names for metric".
      const check = await promtoolCheckMetrics(body);
      expect(check.output).not.toContain('duplicate label');
      expect(check.output).not.toContain('error while linting');
      const lines = body.split('\n').filter((line) => line.startsWith('app_'));
      expect(lines.length, body).toBeGreaterThan(0);
      for (const line of lines) expect(line, 'each line').toContain('a_b="x;y"');
    });
  }
});
