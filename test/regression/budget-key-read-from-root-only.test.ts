// Regression (sampling review): a budget policy with a key and weights is generated as a composite
// of one string_attribute sub-policy per weighted value (sorted) and an always_sample "others"
// slot, each with its rate allocation, and the composite takes a trace by the FIRST sub-policy that
// matches it. The collector's string_attribute matches the resource's attribute or any span's, as
// a string only, never an empty one. The in-process budget read its key from the local root's
// attributes only: a weighted value on the resource or on a child span, or on a child while the
// root carries another, counted the trace under another key than the gateway did (the probe below:
// the two tiers disagreed on 7 of 14 traces). The in-process key is now the first weighted value
// (in the collector's order) that the resource or any span carries as a string; a trace carrying
// none is keyed by the root's value, else the resource's, else a span's. Real parts: the real
// collector running the generated single.yaml fed the traces over OTLP/HTTP, and the in-process
// tail sampler behind a real tracer provider with each trace's resource. `plumbline check live`
// takes a key on the root's resource as carried too (its OTLP receiver over HTTP).
import { ROOT_CONTEXT, SpanKind, trace, type AttributeValue, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { SPAN_KIND_CONSUMER } from '../../src/check/otlp-decode.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector, type ProbeTrace } from '../support/collector-trace-probe.js';
import { checkSpec } from '../check/check-spec.js';

// 3 traces/s of 10 spans = 30 spans/s on the single collector. Its composite gives "7" and gold
// about half each; silver and "others" get 1%, 0.3 spans/s, which the collector rounds down to 0:
// it keeps a trace only if it counted it under "7" or gold. (The order: "7" < gold < silver.)
const BUDGET: readonly SamplingPolicySpec[] = [
  {
    name: 'base',
    kind: 'budget',
    tracesPerSecond: 3,
    key: 'tenant',
    weights: { '7': 50, gold: 48, silver: 1 },
  },
];
const WITH_A_SHARE = new Set(['7', 'gold']);

const root = (tenant?: AttributeValue) => ({
  durationMs: 5,
  ...(tenant === undefined ? {} : { attributes: { tenant } as Record<string, string | number> }),
});
const child = (tenant: string) => ({ parent: 0, durationMs: 1, attributes: { tenant } });

/** Each probe trace and the key it is counted under (in-process, and by the collector's slots). */
const CASES: readonly { readonly trace: ProbeTrace; readonly key: string }[] = [
  { trace: { spans: [root('gold')] }, key: 'gold' },
  { trace: { spans: [root('silver')] }, key: 'silver' },
  // On the resource only, on a child only (the root was read alone: "(other)").
  { trace: { resource: { tenant: 'gold' }, spans: [root()] }, key: 'gold' },
  { trace: { spans: [root(), child('gold')] }, key: 'gold' },
  // Two weighted values: the first in the collector's order wins, wherever each is.
  { trace: { spans: [root('silver'), child('gold')] }, key: 'gold' },
  { trace: { spans: [root('gold'), child('silver')] }, key: 'gold' },
  { trace: { resource: { tenant: 'gold' }, spans: [root('silver')] }, key: 'gold' },
  { trace: { resource: { tenant: 'silver' }, spans: [root('gold')] }, key: 'gold' },
  // An unweighted value on the root, a weighted one on a child: the weighted one.
  { trace: { spans: [root('bronze'), child('gold')] }, key: 'gold' },
  // An empty value is none (string_attribute never matches one).
  { trace: { spans: [root(''), child('gold')] }, key: 'gold' },
  // Unweighted, and none: in-process keyed apart; the collector's "others" slot (no share here).
  { trace: { spans: [root('bronze')] }, key: 'bronze' },
  { trace: { spans: [root()] }, key: '(other)' },
  // The integer 7 is not the string "7" to string_attribute: with the unkeyed traces.
  { trace: { spans: [root(7)] }, key: '(other)' },
  { trace: { spans: [root('7')] }, key: '7' },
];
const TRACES = CASES.map((entry) => entry.trace);

/** For each trace, the key the in-process budget counted it under (a fresh sampler each). */
async function keysInProcess(
  policies: readonly SamplingPolicySpec[],
  traces: readonly ProbeTrace[],
): Promise<string[]> {
  const keys: string[] = [];
  for (const probe of traces) {
    const sampler = new TailSamplingProcessor(
      { decisionWaitMs: 0, policies: [...policies] },
      new SimpleSpanProcessor(new InMemorySpanExporter()),
    );
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'probe', ...probe.resource }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [sampler],
    });
    const tracer = provider.getTracer('probe');
    const spans: Span[] = [];
    for (const span of probe.spans) {
      const parent =
        span.parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, spans[span.parent]!);
      const kind = span.parent === undefined ? SpanKind.SERVER : SpanKind.INTERNAL;
      spans.push(tracer.startSpan('probe', { kind, attributes: span.attributes }, parent));
    }
    for (let i = spans.length - 1; i >= 0; i--) spans[i]!.end();
    await provider.forceFlush();
    keys.push(Object.keys(sampler.stats().thresholdsByPolicy.base ?? {}).join(','));
    await provider.shutdown();
  }
  return keys;
}

describe('a budget key on the resource or a child span', () => {
  it('counts each trace in-process under the weighted value the collector takes it by', async () => {
    expect(await keysInProcess(BUDGET, TRACES)).toEqual(CASES.map((entry) => entry.key));
  });

  it('the collector keeps exactly the traces counted under a value with a share', async () => {
    expect(await keptByCollector(BUDGET, TRACES)).toEqual(CASES.map((entry) => WITH_A_SHARE.has(entry.key)));
  }, 120_000);

  it('without weights, a key on the resource or a child span is that key too', async () => {
    const shared: readonly SamplingPolicySpec[] = [
      { name: 'base', kind: 'budget', tracesPerSecond: 3, key: 'tenant' },
    ];
    expect(
      await keysInProcess(shared, [
        { resource: { tenant: 'acme' }, spans: [root()] },
        { spans: [root(), child('acme')] },
        { resource: { tenant: 'acme' }, spans: [root('initech'), child('globex')] },
        { spans: [root()] },
      ]),
    ).toEqual(['acme', 'acme', 'initech', '(other)']);
  });
});

describe('check live and a budget key on the resource', () => {
  it("takes the key on the root span's resource as carried", async () => {
    const subjects = async (resource: Record<string, string>) => {
      const check = await startLiveCheck({ spec: checkSpec, otlpListen: '127.0.0.1:0' });
      const response = await fetch(`${check.otlpEndpoint!}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: {
                attributes: Object.entries(resource).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
              },
              scopeSpans: [
                {
                  scope: { name: 'shop' },
                  spans: [
                    {
                      traceId: '5b8efff798038103d269b633813fc60c',
                      spanId: 'eee19b7ec3c1b174',
                      name: 'consume orders',
                      kind: SPAN_KIND_CONSUMER,
                      startTimeUnixNano: '1700000000000000000',
                      endTimeUnixNano: '1700000000001000000',
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      await response.text();
      const report = await check.finish();
      return report.deviations.filter((d) => d.kind === 'sampling-key-missing').map((d) => d.subject);
    };
    // checkSpec's budget keys on tenant.
    expect(await subjects({ tenant: 'acme' })).toEqual([]);
    expect(await subjects({})).toEqual(['consume orders tenant']);
  });
});
