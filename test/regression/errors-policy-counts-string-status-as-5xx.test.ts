// Regression (sampling review): the errors policy took an HTTP status attribute written as a string
// ("503") or as a fractional number (503.5) for a 5xx answer in-process, while the generated
// collector's tail_sampling reads it with numeric_attribute, which matches integers only: the two
// tiers kept different traces under the same spec. OpenTelemetry's semantic conventions define
// http.response.status_code (and the older http.status_code) as an int, so the SDK now counts an
// integer in 500-599 only, as the collector does. Real parts: the in-process tail sampler, and the
// real collector running the generated single.yaml, fed the same spans over OTLP/HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type AttributeValue } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { SamplingSpec } from '../../src/spec/types.js';
import {
  collectorBinary,
  metricSum,
  scrape,
  startCollector,
  type CollectorProcess,
} from '../support/collector.js';
import { freePort, waitFor } from '../support/process.js';
import { rig } from '../sampling/harness.js';

const SAMPLING: SamplingSpec = { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] };

interface Case {
  readonly description: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly traceId: string;
}

const CASES: readonly Case[] = (
  [
    { description: 'int 503', attributes: { 'http.response.status_code': 503 } },
    { description: 'legacy int 500', attributes: { 'http.status_code': 500 } },
    { description: 'string "503"', attributes: { 'http.response.status_code': '503' } },
    { description: 'legacy string "500"', attributes: { 'http.status_code': '500' } },
    { description: 'double 503.5', attributes: { 'http.response.status_code': 503.5 } },
    { description: 'int 404', attributes: { 'http.response.status_code': 404 } },
  ] as Omit<Case, 'traceId'>[]
).map((entry) => ({ ...entry, traceId: randomBytes(16).toString('hex') }));

/** The attribute as the OTLP exporters encode it (integers as intValue, other numbers as doubleValue). */
function otlpValue(value: AttributeValue) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  throw new Error(`unexpected attribute ${String(value)}`);
}

function otlpRequest(entry: Case, nowMs: number) {
  const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [
          {
            scope: { name: 'regression' },
            spans: [
              {
                traceId: entry.traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'GET /orders',
                kind: 2,
                startTimeUnixNano: nanos(nowMs - 20),
                endTimeUnixNano: nanos(nowMs),
                status: { code: 0 },
                attributes: Object.entries(entry.attributes).map(([key, value]) => ({
                  key,
                  value: otlpValue(value),
                })),
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Trace IDs in the file exporter's JSON-lines output. */
function exportedTraceIds(path: string): Set<string> {
  const ids = new Set<string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }>;
    };
    for (const resource of request.resourceSpans)
      for (const scope of resource.scopeSpans) for (const span of scope.spans) ids.add(span.traceId);
  }
  return ids;
}

/** What the in-process tail sampler keeps of the same spans. */
function keptInProcess(): Set<string> {
  const r = rig(SAMPLING);
  for (const [index, entry] of CASES.entries()) {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: entry.traceId,
      spanId: (index + 1).toString(16).padStart(16, '0'),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: entry.attributes }, parent).end();
  }
  return r.exportedTraces();
}

describe('regression: errors policy counts a string status as 5xx', () => {
  let dir: string;
  let collector: CollectorProcess;
  let traceFile: string;

  beforeAll(async () => {
    const binary = await collectorBinary();
    dir = await mkdtemp(join(tmpdir(), 'plumbline-status-'));
    traceFile = join(dir, 'kept.jsonl');
    const single = generateCollectorConfigs(
      { service: { name: 'shop' }, events: {}, sampling: SAMPLING },
      { traceBackend: 'file', decisionWaitSeconds: 1 },
    )['single.yaml'];
    await writeFile(join(dir, 'single.yaml'), single);
    const httpPort = await freePort();
    collector = await startCollector('single', binary, join(dir, 'single.yaml'), {
      PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
      PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      PLUMBLINE_SPANMETRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
      PLUMBLINE_TRACE_FILE: traceFile,
      PLUMBLINE_LOG_FILE: join(dir, 'logs.jsonl'),
    });
    for (const entry of CASES) {
      const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpRequest(entry, Date.now())),
      });
      if (!response.ok) throw new Error(`OTLP/HTTP POST: ${response.status} ${await response.text()}`);
    }
    // Every trace decided, and each kept one in the file (the file exporter flushes every second).
    await waitFor(
      'a decision for every trace, and the kept ones written',
      async () => {
        const metrics = await scrape(collector);
        const counted = 'otelcol_processor_tail_sampling_global_count_traces_sampled';
        const decided = metricSum(metrics, counted) ?? 0;
        const kept = metricSum(metrics, counted, { sampled: 'true' }) ?? 0;
        return decided >= CASES.length && exportedTraceIds(traceFile).size >= kept ? true : undefined;
      },
      30_000,
      250,
    );
  }, 120_000);

  afterAll(async () => {
    await collector?.process.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the same traces in-process as the generated collector config', () => {
    const describe = (ids: Set<string>) =>
      CASES.filter((entry) => ids.has(entry.traceId)).map((entry) => entry.description);
    const inCollector = describe(exportedTraceIds(traceFile));
    // The collector keeps integer 5xx under either key, nothing else.
    expect(inCollector).toEqual(['int 503', 'legacy int 500']);
    expect(describe(keptInProcess())).toEqual(inCollector);
  });
});
