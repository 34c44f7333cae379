import { context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TailSamplingProcessor } from '/work/main/src/sampling/tail-sampling-processor.js';
import { measure } from '/work/main/bench/harness.js';
const noop: SpanExporter = { export: (_s, d) => d({ code: ExportResultCode.SUCCESS }), shutdown: () => Promise.resolve() };
const t = (p: SpanProcessor) => new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [p] }).getTracer('b');
function request(tracer: Tracer, i: number) {
  const root = tracer.startSpan('GET', { attributes: { 'http.route': i % 4 === 0 ? '/a' : '/b', m: 'GET' } });
  tracer.startSpan('SELECT', { attributes: { 'db.system': 'pg' } }, trace.setSpan(context.active(), root)).end();
  root.end();
}
const mk = (wait: number, tps = 100) => t(new TailSamplingProcessor({ decisionWaitMs: wait, policies: [{ name: 'errors', kind: 'errors' }, { name: 'slow', kind: 'latency', thresholdMs: 500 }, { name: 'b', kind: 'budget', tracesPerSecond: tps, key: 'http.route' }] }, new BatchSpanProcessor(noop)));
const bare = t(new BatchSpanProcessor(noop));
const mode = process.argv[2];
const tr = mode === 'bare' ? bare : mode === 'w0' ? mk(0) : mode === 'w0all' ? mk(0, 1e9) : mk(100);
console.log(mode, (await measure((i) => request(tr, i), { iterations: 5000, minTimeMs: 1000 })) / 2);
