// Regression (hostile-traffic trial, ESM fastify 5 under NodeSDK, OTel JS 2.x): an app that passed
// a request's query on as the attributes of its own meter-provider instruments
// (`telemetry.meter.createHistogram(…).record(v, { ...request.query })`) let one request take every
// series of the service off Prometheus, until the process restarted (the series is cumulative):
// `?le=1` wrote a histogram's bucket as {le="1",le="0.005"} ("label name \"le\" is not unique"),
// `?__name__=x` wrote {__name__="x"} on every line of the family (the same error for __name__), and
// `?=x` wrote {=""} ("expected label name"), in both formats. OTel's SDK passes such keys on. They are
// now written as Prometheus writes a target label's clash, `exported_` before the name
// (exported_le, exported___name__, exported_), so nothing is lost and the scrape is taken; on a
// counter `le` is no clash and stays as it is. Real parts: createTelemetry's /metrics behind
// node:http, scraped by Prometheus 3 (both formats).
import { afterAll, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { waitFor } from '../support/process.js';
import { sampleValues, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
let prometheus: PrometheusServer | undefined;
afterAll(async () => {
  await prometheus?.stop();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('meter-provider-attribute-named-le-or-name-fails-scrape', () => {
  it('writes le (on a histogram), __name__ and an empty key as exported_…, and Prometheus takes the scrape', async () => {
    const telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
    });
    cleanups.push(() => telemetry.shutdown());
    // What `{ ...request.query }` gives for `?route=/a&le=1&__name__=x&=y`.
    const query = { route: '/a', le: '1', __name__: 'x', '': 'y' };
    telemetry.meter.createHistogram('app.wait', { unit: 's' }).record(0.2, query);
    telemetry.meter.createCounter('app.hits').add(2, query);
    const port = await serveOnFreePort(
      (request, response) => telemetry.metricsHandler(request, response),
      cleanups,
    );
    // The same /metrics in Prometheus's text format only (no Accept: the text format).
    const textPort = await serveOnFreePort((request, response) => {
      delete request.headers.accept;
      telemetry.metricsHandler(request, response);
    }, cleanups);

    prometheus = await startPrometheus({
      jobs: [
        { job: 'openmetrics', targets: [`127.0.0.1:${port}`] },
        { job: 'text', targets: [`127.0.0.1:${textPort}`] },
      ],
    });
    const targets = await waitFor('both targets scraped', async () => {
      const all = await prometheus!.targets();
      return all.length === 2 && all.every((t) => t.health !== 'unknown') ? all : undefined;
    });
    // Before: both down, 'label name "le" is not unique: invalid sample' (then __name__, then
    // 'expected label name, got "=\""').
    expect(targets.map((t) => [t.labels.job, t.health, t.lastError]).sort()).toEqual([
      ['openmetrics', 'up', ''],
      ['text', 'up', ''],
    ]);
    for (const job of ['openmetrics', 'text']) {
      const selector = `job="${job}",route="/a",exported___name__="x",exported_="y"`;
      const count = async (expr: string) => sampleValues(await prometheus!.query(expr));
      expect(await count(`app_wait_seconds_count{${selector},exported_le="1"}`)).toEqual([1]);
      expect(await count(`app_wait_seconds_bucket{${selector},exported_le="1",le="+Inf"}`)).toEqual([1]);
      expect(await count(`app_hits_total{${selector},le="1"}`)).toEqual([2]);
    }
  });
});
