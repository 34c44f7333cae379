// Regression (a trial of one trace per request through the real collector: createTelemetry in an
// ESM express 5 app on the 3.x line, tailSampling off as docs/collector.md asks, the generated
// single.yaml deciding): a measurement recorded after its span ended (the express duration
// middleware listening on the response's 'close', after instrumentation-http's own listener ended
// the server span) still took an exemplar, but `setAttribute('plumbline.exemplar', true)` on the
// ended span did nothing, so the collector's `exemplar` policy never saw the mark and its budget
// dropped the trace: 22 of 113 exemplars Prometheus stored pointed at traces the collector never
// wrote (0 of 112 recording on 'finish'). Without the in-process sampler, an exemplar is now taken
// only for a span that can still carry the mark; the others are counted in
// plumbline_exemplar_span_ended_total and the slot keeps the exemplar it had.
import { rm } from 'node:fs/promises';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { keptTraces } from '../support/collector.js';
import { startProbeCollector } from '../support/collector-trace-probe.js';
import { captureLines } from '../support/capture.js';
import { OPENMETRICS_ACCEPT, scrapeTelemetry } from '../support/scrape-telemetry.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  histograms: {
    'shop.request.duration': {
      description: 'Request time.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.01, 0.1, 1] },
    },
  },
  // The collector keeps only what an exemplar marked: any other trace is dropped there.
  sampling: { policies: [{ name: 'exemplar', kind: 'exemplar' }] },
});

let telemetry: Telemetry<typeof spec> | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const exemplarTraceIds = (text: string, route: string): string[] =>
  text
    .split('\n')
    .filter(
      (line) => line.startsWith('shop_request_duration_seconds_bucket{') && line.includes(`route="${route}"`),
    )
    .flatMap((line) => /trace_id="([0-9a-f]{32})"/.exec(line)?.[1] ?? []);

describe('regression: an exemplar on an ended span points at a trace the collector drops', () => {
  it('takes no exemplar for an ended span without the in-process sampler; every exemplar is in a kept trace', async () => {
    const probe = await startProbeCollector('ended-span-exemplar', spec.sampling.policies);
    cleanups.push(async () => {
      await probe.collector.process.stop();
      await rm(probe.dir, { recursive: true, force: true });
    });
    telemetry = createTelemetry(spec, {
      tailSampling: false,
      otlpEndpoint: `http://127.0.0.1:${probe.httpPort}`,
      otlpLogs: false,
      logDestination: captureLines().destination,
    });
    const duration = telemetry.metrics.histogram('shop.request.duration');

    // Recorded while the span is open: the span carries the mark, the collector keeps the trace.
    const open = telemetry.tracer.startSpan('GET /open', {}, ROOT_CONTEXT);
    const openContext = trace.setSpan(ROOT_CONTEXT, open);
    duration.record(0.05, { route: '/open' }, openContext);
    open.end();
    // Recorded after the span ended, as a 'close' listener does.
    const ended = telemetry.tracer.startSpan('GET /ended', {}, ROOT_CONTEXT);
    const endedContext = trace.setSpan(ROOT_CONTEXT, ended);
    ended.end();
    duration.record(0.05, { route: '/ended' }, endedContext);

    const text = await scrapeTelemetry(telemetry, OPENMETRICS_ACCEPT);
    await telemetry.forceFlush();
    const kept = await keptTraces(probe.collector, probe.traceFile, 2);

    const openTrace = open.spanContext().traceId;
    const endedTrace = ended.spanContext().traceId;
    expect(exemplarTraceIds(text, '/open')).toEqual([openTrace]);
    expect([...kept.keys()]).toEqual([openTrace]);
    // Before: the '/ended' bucket's exemplar pointed at endedTrace, which the collector dropped.
    const exemplars = [...exemplarTraceIds(text, '/open'), ...exemplarTraceIds(text, '/ended')];
    expect(exemplars.filter((traceId) => !kept.has(traceId))).toEqual([]);
    expect(text).toMatch(/^plumbline_exemplar_span_ended_total 1$/m);
    expect(exemplarTraceIds(text, '/ended')).toEqual([]);
    expect(endedTrace).not.toBe(openTrace);
  });
});
