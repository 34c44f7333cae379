// Whether a server or consumer span is a local root (where the tail sampler reads its keys)
// comes from the OTLP span flags' remote-parent bits. An exporter that sends no flags (older
// ones) leaves it unknown: such a span is not checked as a root (no false sampling-key-missing)
// and is counted in the report. Real parts: the check's OTLP receiver over HTTP, fed by hand-made
// OTLP/JSON (each flags case) and by opentelemetry-js's own OTLP/HTTP exporter.
import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { formatReport, startLiveCheck } from '../../src/check/index.js';
import { SPAN_KIND_CONSUMER } from '../../src/check/otlp-decode.js';
import { checkSpec } from './check-spec.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const PARENT_ID = 'eee19b7ec3c1b174';

/** A consumer span without the `tenant` the spec's budget keys on. */
function consumerSpan(name: string, parentSpanId: string, flags?: number) {
  return {
    traceId: TRACE_ID,
    spanId: `${name.length.toString(16).padStart(2, '0')}${'1'.repeat(14)}`,
    parentSpanId,
    name,
    kind: SPAN_KIND_CONSUMER,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    ...(flags === undefined ? {} : { flags }),
  };
}

it('checks roots and remote parents, and counts spans whose exporter sent no flags', async () => {
  const check = await startLiveCheck({ spec: checkSpec, otlpListen: '127.0.0.1:0' });
  const spans = [
    consumerSpan('root', ''), // no parent: a root, flags or not
    consumerSpan('remote', PARENT_ID, 0x301), // HAS_IS_REMOTE | IS_REMOTE | sampled
    consumerSpan('local-parent', PARENT_ID, 0x101), // HAS_IS_REMOTE, a local parent
    consumerSpan('no-flags', PARENT_ID), // an older exporter: unknown
    consumerSpan('trace-flags-only', PARENT_ID, 0x01), // the W3C bits only: unknown
  ];
  const response = await fetch(`${check.otlpEndpoint!}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'shop' }, spans }] }],
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
  const report = await check.finish();
  expect(report.deviations.map((d) => `${d.kind} ${d.subject}`)).toEqual([
    'sampling-key-missing remote tenant',
    'sampling-key-missing root tenant',
  ]);
  expect(report.observed.entrySpansParentUnknown).toBe(2);
  expect(formatReport(report)).toContain(
    '2 server or consumer spans with a parent sent without OTLP span flags (an older exporter)',
  );
});

it("opentelemetry-js's exporter sends the flags: a span under a remote parent is checked as a root", async () => {
  const check = await startLiveCheck({ spec: checkSpec, otlpListen: '127.0.0.1:0' });
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${check.otlpEndpoint!}/v1/traces` })),
    ],
  });
  const tracer = provider.getTracer('shop');
  const remote = trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: PARENT_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const root = tracer.startSpan('consume orders', { kind: SpanKind.CONSUMER }, remote);
  // A consumer span under a local parent is no root: not checked.
  tracer.startSpan('consume retry', { kind: SpanKind.CONSUMER }, trace.setSpan(context.active(), root)).end();
  root.end();
  await provider.shutdown();
  const report = await check.finish();
  expect(report.observed.spans).toBe(2);
  expect(report.observed.entrySpansParentUnknown).toBe(0);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject}`)).toEqual([
    'sampling-key-missing consume orders tenant',
  ]);
});
