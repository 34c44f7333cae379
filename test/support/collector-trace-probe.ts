// Which of a set of traces the two sampling tiers keep under the same spec policies: the real
// collector running the generated single.yaml (fed the traces over OTLP/HTTP, its trace file read
// back) and the in-process TailSamplingProcessor behind a real tracer provider with each trace's
// resource. Each trace has a resource of its own, so resource attributes can be probed too.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type AttributeValue,
  type Span,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { collectorBinary, keptTraces, startCollector, type CollectorProcess } from './collector.js';
import { freePort } from './process.js';

type ProbeValue = string | number | boolean;

export interface ProbeSpan {
  /** Index of the parent in the trace's spans; absent for the root (spans[0]). */
  readonly parent?: number;
  readonly durationMs: number;
  readonly error?: boolean;
  readonly attributes?: Readonly<Record<string, ProbeValue>>;
}

export interface ProbeTrace {
  readonly resource?: Readonly<Record<string, ProbeValue>>;
  /** spans[0] is the root; children start with it and end within it. */
  readonly spans: readonly ProbeSpan[];
}

/** The attribute as the OTLP exporters encode it (integers as intValue, other numbers as doubleValue). */
function otlpValue(value: ProbeValue) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

const otlpAttributes = (attributes: Readonly<Record<string, ProbeValue>> = {}) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: otlpValue(value) }));

/** A collector running the generated single.yaml of `policies`, its kept traces in a file. */
export async function startProbeCollector(
  name: string,
  policies: readonly SamplingPolicySpec[],
  generateOptions: Parameters<typeof generateCollectorConfigs>[1] = {},
): Promise<{ dir: string; traceFile: string; httpPort: number; collector: CollectorProcess }> {
  const dir = await mkdtemp(join(tmpdir(), `plumbline-${name}-probe-`));
  const traceFile = join(dir, 'kept.jsonl');
  const single = generateCollectorConfigs(
    { service: { name: 'probe' }, events: {}, sampling: { policies: [...policies] } },
    { traceBackend: 'file', decisionWaitSeconds: 1, ...generateOptions },
  )['single.yaml'];
  await writeFile(join(dir, 'single.yaml'), single);
  const httpPort = await freePort();
  const collector = await startCollector('single', await collectorBinary(), join(dir, 'single.yaml'), {
    PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
    PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
    PLUMBLINE_SPANMETRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
    PLUMBLINE_TRACE_FILE: traceFile,
    PLUMBLINE_LOG_FILE: join(dir, 'logs.jsonl'),
  });
  return { dir, traceFile, httpPort, collector };
}

/** For each trace, whether the collector running the generated single.yaml kept it. */
export async function keptByCollector(
  policies: readonly SamplingPolicySpec[],
  traces: readonly ProbeTrace[],
): Promise<boolean[]> {
  const { dir, traceFile, httpPort, collector } = await startProbeCollector('trace', policies);
  try {
    const traceIds = traces.map(() => randomBytes(16).toString('hex'));
    const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
    const resourceSpans = traces.map((probe, t) => {
      const spanIds = probe.spans.map(() => randomBytes(8).toString('hex'));
      return {
        resource: { attributes: otlpAttributes({ 'service.name': 'probe', ...probe.resource }) },
        scopeSpans: [
          {
            scope: { name: 'probe' },
            spans: probe.spans.map((span, i) => ({
              traceId: traceIds[t],
              spanId: spanIds[i],
              ...(span.parent === undefined ? {} : { parentSpanId: spanIds[span.parent] }),
              name: `span ${i}`,
              kind: span.parent === undefined ? 2 : 1,
              startTimeUnixNano: startNs.toString(),
              endTimeUnixNano: (startNs + BigInt(span.durationMs) * 1_000_000n).toString(),
              status: { code: span.error === true ? 2 : 0 },
              attributes: otlpAttributes(span.attributes),
            })),
          },
        ],
      };
    });
    const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans }),
    });
    if (!response.ok) throw new Error(`OTLP/HTTP POST: ${response.status} ${await response.text()}`);
    const kept = await keptTraces(collector, traceFile, traces.length);
    return traceIds.map((id) => kept.has(id));
  } finally {
    await collector.process.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** For each trace, whether the in-process tail sampler (the same spec policies) kept it. */
export async function keptInProcess(
  policies: readonly SamplingPolicySpec[],
  traces: readonly ProbeTrace[],
): Promise<boolean[]> {
  const kept: boolean[] = [];
  for (const probe of traces) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'probe', ...probe.resource }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [
        new TailSamplingProcessor(
          { decisionWaitMs: 0, policies: [...policies] },
          new SimpleSpanProcessor(exporter),
        ),
      ],
    });
    const tracer = provider.getTracer('probe');
    const startMs = Date.now() - 60_000;
    const spans: Span[] = [];
    for (const [i, span] of probe.spans.entries()) {
      if (span.parent !== undefined && !(span.parent < i)) throw new Error('a parent comes before its child');
      const parent =
        span.parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, spans[span.parent]!);
      spans.push(
        tracer.startSpan(
          `span ${i}`,
          {
            kind: span.parent === undefined ? SpanKind.SERVER : SpanKind.INTERNAL,
            startTime: startMs,
            attributes: span.attributes as Record<string, AttributeValue>,
          },
          parent,
        ),
      );
    }
    // Children end first, the root last (the local part of the trace is done when the root ends).
    for (let i = probe.spans.length - 1; i >= 0; i--) {
      const span = probe.spans[i]!;
      if (span.error === true) spans[i]!.setStatus({ code: SpanStatusCode.ERROR });
      spans[i]!.end(startMs + span.durationMs);
    }
    await provider.forceFlush();
    kept.push(exporter.getFinishedSpans().length > 0);
    await provider.shutdown();
  }
  return kept;
}
