import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { CorpusSpan, SamplingCorpus } from '../../src/sampling/decide-corpus-trace.js';
import { decideCorpusTrace } from '../../src/sampling/decide-corpus-trace.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { buildCorpus, CORPUS_PATH } from '../../scripts/sampling-corpus.js';
import { seededIds } from './harness.js';

const corpus = JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as SamplingCorpus;

// Written by hand from the policy semantics, so the corpus is checked against intent and not
// only against the code that generated it.
const INTENDED: Readonly<Record<string, string>> = {
  'fast ok request': 'budget',
  'fast ok checkout': 'budget',
  'fast health check': 'budget',
  'root status error': 'keep errors',
  'error on a child span only': 'keep errors',
  'HTTP 503 on the root (no status set)': 'keep errors',
  'HTTP 404 is not an error': 'budget',
  'legacy http.status_code 500 on a client span': 'keep errors',
  'slow on the default threshold': 'keep slow',
  'just under the default threshold': 'budget',
  'exactly the default threshold (>= keeps)': 'keep slow',
  'slow for the default but under the /checkout threshold': 'budget',
  'over the /checkout threshold': 'keep slow',
  'over the /health threshold': 'keep slow',
  'under the /health threshold': 'budget',
  'gold tenant on a child span': 'keep gold-tenants',
  'platinum tenant on the root': 'keep gold-tenants',
  'silver tenant is not kept by rule': 'budget',
  'gold tier as a resource attribute': 'keep gold-tenants',
  'slow and erroring: the first policy (errors) names it': 'keep errors',
};

const KIND = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

describe('shared sampling corpus', () => {
  it('is what scripts/sampling-corpus.ts generates (run it after changing policies)', () => {
    expect(corpus).toEqual(buildCorpus());
  });

  it('records the intended decision for every trace', () => {
    expect(corpus.traces.length).toBeGreaterThanOrEqual(100);
    for (const t of corpus.traces) {
      const { outcome, policy } = t.expected;
      expect(outcome === 'budget' ? 'budget' : `${outcome} ${policy}`, t.description).toBe(
        INTENDED[t.description],
      );
      expect(decideCorpusTrace(corpus.sampling, t)).toEqual(t.expected);
    }
  });

  it('decides budget traces by trace-ID randomness when given a threshold', () => {
    const budgetTraces = corpus.traces.filter((t) => t.expected.outcome === 'budget');
    const all = budgetTraces.map(
      (t) => decideCorpusTrace(corpus.sampling, t, { budgetThreshold: '00000000000000' }).outcome,
    );
    const none = budgetTraces.map(
      (t) => decideCorpusTrace(corpus.sampling, t, { budgetThreshold: 'ffffffffffffff' }).outcome,
    );
    expect(new Set(all)).toEqual(new Set(['keep']));
    expect(none.filter((o) => o === 'keep').length).toBeLessThanOrEqual(1);
    expect(decideCorpusTrace(corpus.sampling, budgetTraces[0]!, { exemplar: true })).toEqual({
      outcome: 'keep',
      policy: 'exemplar',
    });
  });

  // With no grace, and with one (keeps go when the trace is done, the rest when forceFlush decides).
  it.each([0, 100])(
    'gets the same decisions from the real processor fed real spans (decisionWaitMs %i)',
    async (decisionWaitMs) => {
      for (const t of corpus.traces) {
        const exporter = new InMemorySpanExporter();
        const processor = new TailSamplingProcessor(
          { ...corpus.sampling, decisionWaitMs },
          new SimpleSpanProcessor(exporter),
        );
        const ids = seededIds(1);
        const provider = new BasicTracerProvider({
          resource: resourceFromAttributes(t.resource),
          idGenerator: { generateTraceId: () => t.traceId, generateSpanId: ids.generateSpanId },
          spanProcessors: [processor],
        });
        const tracer = provider.getTracer('corpus');
        const base = Date.now() - 60_000;
        const live = new Map<string, Span>();
        const start = (s: CorpusSpan) => {
          const parent = s.parentSpanId === undefined ? undefined : live.get(s.parentSpanId);
          const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
          const span = tracer.startSpan(
            s.name,
            { kind: KIND[s.kind], attributes: s.attributes, startTime: base + s.startMs },
            ctx,
          );
          if (s.status !== 'unset')
            span.setStatus({ code: s.status === 'error' ? SpanStatusCode.ERROR : SpanStatusCode.OK });
          live.set(s.spanId, span);
        };
        for (const s of t.spans) start(s);
        // Children end before the root, as in a real request.
        for (const s of [...t.spans].reverse()) live.get(s.spanId)!.end(base + s.startMs + s.durationMs);
        await provider.forceFlush();
        const exported = exporter.getFinishedSpans();
        if (t.expected.outcome === 'keep') {
          expect(exported.length, t.description).toBe(t.spans.length);
          expect(exported[0]!.attributes[POLICY_ATTRIBUTE], t.description).toBe(t.expected.policy);
        } else {
          // A lone trace on a fresh budget is within budget: kept by the budget, never by a rule.
          for (const span of exported)
            expect(span.attributes[POLICY_ATTRIBUTE], t.description).toBe('baseline');
        }
        await provider.shutdown();
      }
    },
  );
});
