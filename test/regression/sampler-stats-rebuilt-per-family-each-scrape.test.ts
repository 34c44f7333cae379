// Regression (scrape review): sampler.stats() builds the whole stats object (every policy's
// decisions, every budget key's threshold), and each of the sampler's /metrics families (13 of
// them, and the exemplar keeps refused beside them) called it again: 14 stats() per scrape and per
// OTLP metric export, the cost growing with the budget keys. One snapshot per scrape now, taken
// afresh by each scrape (no time-based cache): a count that changes between two back-to-back
// scrapes shows in the second.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function scrape(of: Telemetry, times: number): Promise<string[]> {
  const server = createServer((request, response) => of.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const bodies: string[] = [];
    for (let i = 0; i < times; i++)
      bodies.push(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    return bodies;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const decisions = (body: string, policy: string) =>
  Number(
    new RegExp(`^plumbline_sampler_decisions_total\\{policy="${policy}",outcome="keep"\\} (\\S+)$`, 'm').exec(
      body,
    )?.[1],
  );

describe('regression: sampler stats rebuilt per family each scrape', () => {
  it('reads stats() once per scrape and per export, afresh each time', async () => {
    const spec = defineTelemetry({
      service: { name: 'shop', version: '1.0.0' },
      events: {},
      sampling: {
        decisionWaitMs: 0,
        policies: [
          { name: 'vip', kind: 'attribute', key: 'vip', values: ['yes'] },
          { name: 'baseline', kind: 'budget', tracesPerSecond: 5, key: 'tenant' },
        ],
      },
    });
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    const tracer = telemetry.tracerProvider.getTracer('regression');
    const end = (vip: string, tenant: string) =>
      tracer.startSpan('GET /a', { attributes: { vip, tenant } }, ROOT_CONTEXT).end();
    for (let i = 0; i < 30; i++) end(i < 2 ? 'yes' : 'no', `t${i % 7}`);

    const stats = vi.spyOn(TailSamplingProcessor.prototype, 'stats');
    // Every sampler family is on the page, each from the one snapshot.
    const [first] = await scrape(telemetry, 1);
    expect(stats).toHaveBeenCalledTimes(1);
    for (const family of [
      'plumbline_sampler_decisions_total',
      'plumbline_sampler_evictions_total',
      'plumbline_sampler_late_spans_total',
      'plumbline_sampler_buffered_traces',
      'plumbline_sampler_keep_probability',
      'plumbline_exemplar_keeps_refused_total',
    ])
      expect(first).toMatch(new RegExp(`^${family}[{ ]`, 'm'));
    expect(decisions(first!, 'vip')).toBe(2);

    // The OTLP export reads the same families through the metric producer: once too.
    stats.mockClear();
    await telemetry.metrics.producer.collect();
    expect(stats).toHaveBeenCalledTimes(1);

    // Back to back, a decision between two scrapes shows in the second.
    stats.mockClear();
    const [before] = await scrape(telemetry, 1);
    end('yes', 't1');
    const [after] = await scrape(telemetry, 1);
    expect(stats).toHaveBeenCalledTimes(2);
    expect(decisions(before!, 'vip')).toBe(2);
    expect(decisions(after!, 'vip')).toBe(3);
  });
});
