// The shared sampling corpus through a real collector running the generated single.yaml: every
// trace a deterministic rule keeps in-process is kept by the collector under the same policy, and
// every trace left to the budget is kept, if at all, only by the budget. The corpus spec lists no
// exemplar rule: traces the SDK marked for an exemplar are kept by the implicit one, in-process
// and in the collector (regression: the generator wrote none, and the gateway's budget dropped
// most of them, so exemplars pointed at dropped traces).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { decideCorpusTrace, type CorpusTrace, type SamplingCorpus } from '../../src/sampling/index.js';
import {
  collectorBinary,
  metricSum,
  scrape,
  startCollector,
  type CollectorProcess,
} from '../support/collector.js';
import { randomBytes } from 'node:crypto';
import { EXEMPLAR_SPAN_ATTRIBUTE } from '../../src/spec/naming.js';
import { freePort, waitFor } from '../support/process.js';

const corpus = JSON.parse(readFileSync('test/fixtures/sampling-corpus.json', 'utf8')) as SamplingCorpus;

/**
 * 40 copies of the corpus's first trace (a fast ok request left to the 10 traces/s budget), each
 * with its child span marked for an exemplar as the SDK marks it: far more than the budget keeps.
 */
const exemplarTraces: CorpusTrace[] = Array.from({ length: 40 }, (_, i) => {
  const template = corpus.traces[0]!;
  const ids = new Map(template.spans.map((span) => [span.spanId, randomBytes(8).toString('hex')]));
  return {
    ...template,
    traceId: randomBytes(16).toString('hex'),
    description: `exemplar-marked request ${i}`,
    spans: template.spans.map((span) => ({
      ...span,
      spanId: ids.get(span.spanId)!,
      ...(span.parentSpanId === undefined
        ? {}
        : {
            parentSpanId: ids.get(span.parentSpanId)!,
            attributes: { ...span.attributes, [EXEMPLAR_SPAN_ATTRIBUTE]: true },
          }),
    })),
    expected: { outcome: 'keep', policy: 'exemplar' },
  };
});

const SPAN_KINDS = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
const STATUS_CODES = { unset: 0, ok: 1, error: 2 } as const;

function otlpAttributes(attributes: Readonly<Record<string, string | number | boolean>>) {
  return Object.entries(attributes).map(([key, value]) => ({
    key,
    value:
      typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { boolValue: value }
          : Number.isInteger(value)
            ? { intValue: String(value) }
            : { doubleValue: value },
  }));
}

/** One OTLP/JSON request for a corpus trace, its times offset from `baseMs`. */
function otlpRequest(trace: CorpusTrace, baseMs: number) {
  const nanos = (ms: number) => (BigInt(baseMs + ms) * 1_000_000n).toString();
  return {
    resourceSpans: [
      {
        resource: { attributes: otlpAttributes(trace.resource) },
        scopeSpans: [
          {
            scope: { name: 'corpus' },
            spans: trace.spans.map((span) => ({
              traceId: trace.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
              name: span.name,
              kind: SPAN_KINDS[span.kind],
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.startMs + span.durationMs),
              status: { code: STATUS_CODES[span.status] },
              attributes: otlpAttributes(span.attributes),
            })),
          },
        ],
      },
    ],
  };
}

interface KeptTrace {
  readonly spans: number;
  readonly policies: ReadonlySet<string>;
}

/** Kept traces in the file exporter's output with the `tailsampling.policy` the processor recorded. */
function keptTraces(path: string): Map<string, KeptTrace> {
  const kept = new Map<string, { spans: number; policies: Set<string> }>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return kept;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as {
      resourceSpans: Array<{
        scopeSpans: Array<{
          scope?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
          spans: Array<{ traceId: string }>;
        }>;
      }>;
    };
    for (const resource of request.resourceSpans) {
      for (const scope of resource.scopeSpans) {
        // The processor records the deciding policy on the scope of the trace's spans.
        const policy = scope.scope?.attributes?.find((attribute) => attribute.key === 'tailsampling.policy')
          ?.value.stringValue;
        for (const span of scope.spans) {
          const entry = kept.get(span.traceId) ?? { spans: 0, policies: new Set<string>() };
          entry.spans += 1;
          if (policy !== undefined) entry.policies.add(policy);
          kept.set(span.traceId, entry);
        }
      }
    }
  }
  return kept;
}

/** Generated sub-policy names are `<spec policy>:<detail>`; the spec policy is the part before ':'. */
const specPolicyOf = (collectorPolicy: string) => collectorPolicy.split(':')[0];

describe('sampling corpus through the generated single.yaml', () => {
  let dir: string;
  let collector: CollectorProcess;
  let traceFile: string;

  beforeAll(async () => {
    const binary = await collectorBinary();
    dir = await mkdtemp(join(tmpdir(), 'plumbline-corpus-'));
    traceFile = join(dir, 'kept.jsonl');
    const single = generateCollectorConfigs(
      { service: { name: 'corpus-svc' }, events: {}, sampling: corpus.sampling },
      { traceBackend: 'file', decisionWaitSeconds: 3 },
    )['single.yaml'];
    await writeFile(join(dir, 'single.yaml'), single);
    const httpPort = await freePort();
    collector = await startCollector(
      'single',
      binary,
      join(dir, 'single.yaml'),
      {
        PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
        PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
        PLUMBLINE_SPANMETRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
        PLUMBLINE_TRACE_FILE: traceFile,
        PLUMBLINE_LOG_FILE: join(dir, 'logs.jsonl'),
      },
      // Writes the deciding policy's name on kept spans, so the test can compare policies too.
      ['--feature-gates=+processor.tailsamplingprocessor.recordpolicy'],
    );
    const baseMs = Date.now() - 60_000;
    for (const trace of [...corpus.traces, ...exemplarTraces]) {
      const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpRequest(trace, baseMs)),
      });
      if (!response.ok) throw new Error(`OTLP/HTTP POST: ${response.status} ${await response.text()}`);
    }
    await waitFor(
      'a decision for every corpus trace',
      async () => {
        const decided =
          metricSum(await scrape(collector), 'otelcol_processor_tail_sampling_global_count_traces_sampled') ??
          0;
        return decided >= corpus.traces.length + exemplarTraces.length ? true : undefined;
      },
      30_000,
      250,
    );
    // The file exporter flushes every second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }, 120_000);

  afterAll(async () => {
    await collector?.process.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('has traces on both sides of every deterministic rule', () => {
    const outcomes = new Set(corpus.traces.map((trace) => decideCorpusTrace(corpus.sampling, trace).policy));
    expect([...outcomes].sort()).toEqual(['baseline', 'errors', 'gold-tenants', 'slow']);
  });

  it('agrees with the in-process decision for every rule-kept trace, and keeps budget traces only by budget', () => {
    const kept = keptTraces(traceFile);
    const mismatches: string[] = [];
    for (const trace of corpus.traces) {
      const inProcess = decideCorpusTrace(corpus.sampling, trace);
      const collected = kept.get(trace.traceId);
      const policies = [...(collected?.policies ?? [])].map(specPolicyOf);
      if (inProcess.outcome === 'keep') {
        if (collected === undefined)
          mismatches.push(
            `${trace.description}: kept in-process by ${inProcess.policy}, dropped by the collector`,
          );
        else if (collected.spans !== trace.spans.length)
          mismatches.push(`${trace.description}: kept partially`);
        else if (!policies.every((policy) => policy === inProcess.policy)) {
          mismatches.push(
            `${trace.description}: in-process ${inProcess.policy}, collector ${policies.join(',')}`,
          );
        }
      } else if (inProcess.outcome === 'budget') {
        if (collected !== undefined && !policies.every((policy) => policy === inProcess.policy)) {
          mismatches.push(
            `${trace.description}: left to the budget in-process, kept by ${policies.join(',')} in the collector`,
          );
        }
      } else if (collected !== undefined) {
        mismatches.push(`${trace.description}: dropped in-process, kept by the collector`);
      }
    }
    expect(mismatches).toEqual([]);
    // The policy attribute was written, so the comparison above compared names, not just presence.
    expect([...kept.values()].some((trace) => trace.policies.size > 0)).toBe(true);
  });

  it('keeps every trace marked for an exemplar under the implicit exemplar rule, as in-process', () => {
    expect(corpus.sampling.policies.some((policy) => policy.kind === 'exemplar')).toBe(false);
    const kept = keptTraces(traceFile);
    const outcomes = exemplarTraces.map((trace) => {
      const inProcess = decideCorpusTrace(corpus.sampling, trace, { exemplar: true });
      const collected = kept.get(trace.traceId);
      return `${inProcess.outcome} ${inProcess.policy} / ${collected === undefined ? 'dropped' : [...collected.policies].map(specPolicyOf).join(',')}`;
    });
    expect(outcomes).toEqual(exemplarTraces.map(() => 'keep exemplar / exemplar'));
  });
});
