// Regression (a trial of one trace per request through the real collector, both tiers sampling:
// createTelemetry with its tail sampler in an ESM express 5 app on the 3.x line, exporting to the
// generated single.yaml): a measurement recorded after its span ended (a response's 'close'
// listener) took an exemplar; the in-process sampler kept the trace by its ID, but the mark the
// collector's `exemplar` policy keeps a trace by, `plumbline.exemplar`, could not be set on the
// ended span, so the collector's budget dropped the trace the exemplar points at (5 of 106
// exemplars Prometheus stored; 0 of 102 recording on 'finish'). The sampler now writes the mark on
// every span of a trace an exemplar points at when it forwards them.
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
  // Both tiers keep only what an exemplar points at: any other trace is dropped in each.
  sampling: { decisionWaitMs: 200, policies: [{ name: 'exemplar', kind: 'exemplar' }] },
});

let telemetry: Telemetry<typeof spec> | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const exemplarTraceIds = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('shop_request_duration_seconds_bucket{'))
    .flatMap((line) => /trace_id="([0-9a-f]{32})"/.exec(line)?.[1] ?? []);

describe('regression: an exemplar recorded after its span ended is unmarked for the collector with the sampler on', () => {
  it('keeps in the collector every trace the in-process sampler kept for an exemplar', async () => {
    const probe = await startProbeCollector('ended-span-exemplar-sampler', spec.sampling.policies);
    cleanups.push(async () => {
      await probe.collector.process.stop();
      await rm(probe.dir, { recursive: true, force: true });
    });
    telemetry = createTelemetry(spec, {
      otlpEndpoint: `http://127.0.0.1:${probe.httpPort}`,
      otlpLogs: false,
      logDestination: captureLines().destination,
    });
    const duration = telemetry.metrics.histogram('shop.request.duration');

    // Recorded while the span is open: the span carries the mark.
    const open = telemetry.tracer.startSpan('GET /open', {}, ROOT_CONTEXT);
    duration.record(0.05, { route: '/open' }, trace.setSpan(ROOT_CONTEXT, open));
    open.end();
    // Recorded after the span ended, as a 'close' listener does; the trace waits out its grace.
    const ended = telemetry.tracer.startSpan('GET /ended', {}, ROOT_CONTEXT);
    const child = telemetry.tracer.startSpan('db', {}, trace.setSpan(ROOT_CONTEXT, ended));
    child.end();
    ended.end();
    duration.record(0.5, { route: '/ended' }, trace.setSpan(ROOT_CONTEXT, ended));

    const text = await scrapeTelemetry(telemetry, OPENMETRICS_ACCEPT);
    await telemetry.forceFlush();
    const stats = telemetry.sampler!.stats();
    // The in-process sampler kept both traces, for their exemplars.
    expect(stats.decisions.exemplar).toEqual({ keep: 2, drop: 0 });
    const exemplars = exemplarTraceIds(text).sort();
    const openTrace = open.spanContext().traceId;
    const endedTrace = ended.spanContext().traceId;
    expect(exemplars).toEqual([openTrace, endedTrace].sort());

    const kept = await keptTraces(probe.collector, probe.traceFile, 2);
    // Before: the collector dropped endedTrace, which the '/ended' exemplar points at.
    expect(exemplars.filter((traceId) => !kept.has(traceId))).toEqual([]);
    expect(kept.get(endedTrace)).toBe(2);
  });
});
