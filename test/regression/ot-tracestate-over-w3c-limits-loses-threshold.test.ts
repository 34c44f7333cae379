// Regression: the `ot` value written on kept spans could pass the W3C tracestate limits (a list
// member's value at most 256 characters, the header at most 512 characters and 32 members) once
// `th:` was added. @opentelemetry/core's TraceState.set() then returns the state unchanged, so the
// span was exported with the caller's `ot` and no threshold of ours (a rule-kept trace with no
// `th`, or with the caller's looser one), or with a 33rd member. Now unknown `ot` sub-keys are
// dropped from the end (the spec allows it), then other vendors' members from the end (as W3C
// asks of a vendor adding its own), each counted; what the OTLP exporter sends is valid.
import { defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { startDecodingReceiver } from '../support/decoding-receiver.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Sent {
  resourceSpans: { scopeSpans: { spans: { traceState?: string }[] }[] }[];
}

/** The tracestate the OTLP exporter sends for a rule-kept span under a caller with `tracestate`. */
async function sentTraceState(tracestate: string): Promise<string | undefined> {
  const receiver = await startDecodingReceiver(() => [], cleanups);
  const processor = new TailSamplingProcessor(
    { decisionWaitMs: 0, policies: [{ name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] }] },
    new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` })),
  );
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  cleanups.push(() => provider.shutdown());
  const headers = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, tracestate };
  const parent = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  provider
    .getTracer('regression')
    .startSpan('consume', { attributes: { tier: 'gold' } }, parent)
    .end();
  await provider.forceFlush();
  const spans = (receiver.bodies as Sent[]).flatMap((body) =>
    body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
  );
  expect(spans).toHaveLength(1);
  return spans[0]!.traceState;
}

function valid(header: string): void {
  const members = header.split(',');
  expect(header.length).toBeLessThanOrEqual(512);
  expect(members.length).toBeLessThanOrEqual(32);
  for (const member of members) expect(member.slice(member.indexOf('=') + 1).length).toBeLessThanOrEqual(256);
}

describe('an ot tracestate value near the W3C limits', () => {
  it('keeps th and rv when th no longer fits in 256 characters, dropping unknown sub-keys', async () => {
    const unknown = `x:${'a'.repeat(256 - 'rv:ce929d0e0e4736;x:'.length)}`;
    const ot = `rv:ce929d0e0e4736;${unknown}`;
    expect(ot).toHaveLength(256);
    const sent = (await sentTraceState(`vendor=abc,ot=${ot}`))!;
    valid(sent);
    expect(sent).toBe('ot=th:0;rv:ce929d0e0e4736,vendor=abc');
  });

  it('stays under 512 characters when other vendors fill the header', async () => {
    const big = `big=${'c'.repeat(250)}`;
    const other = `other=${'d'.repeat(250)}`;
    const sent = (await sentTraceState(`${big},${other}`))!;
    valid(sent);
    expect(sent.startsWith('ot=th:0,')).toBe(true);
    expect(sent).toContain(big); // the first (most recent) vendor is kept, the last one goes
  });

  it('stays at 32 members when the caller sent 32 others', async () => {
    const members = Array.from({ length: 32 }, (_, i) => `v${i}=x`);
    const sent = (await sentTraceState(members.join(',')))!;
    valid(sent);
    expect(sent).toBe(['ot=th:0', ...members.slice(0, 31)].join(','));
  });
});
