// Regression (sampling review): AttributePolicy overrode SpanMatchPolicy's `matches()` to read the
// resource once per trace (37ec24f), and its own `matchesSpan` was then never called: a subclass
// overriding the hook (as SpanMatchPolicy invites) silently did nothing. Narrowed to server spans,
// it still kept a trace whose only listed value was on an internal span (kept 1 of 1, meant 0);
// widened to a `vip` flag, it kept no trace carrying only the flag (0 of 1, meant 1). The resource
// check moved to a hook of SpanMatchPolicy (`matchesResource`, asked once per trace), so
// AttributePolicy no longer overrides `matches()` and both hooks are heard. Real parts: the
// in-process tail sampler behind a real tracer provider.
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { AttributePolicy } from '../../src/sampling/attribute-policy.js';
import type { PolicySpan, SamplingPolicy } from '../../src/sampling/policy.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';

/** Keeps gold only where a server span says it (or the resource does). */
class ServerGold extends AttributePolicy {
  protected override matchesSpan(span: PolicySpan): boolean {
    return span.kind === SpanKind.SERVER && super.matchesSpan(span);
  }
}

/** Keeps gold, and any trace with a span flagged vip. */
class GoldOrVip extends AttributePolicy {
  protected override matchesSpan(span: PolicySpan): boolean {
    return span.attributes['vip'] === true || super.matchesSpan(span);
  }
}

/** Whether the sampler, running `policy`, keeps a server root with one internal child. */
async function kept(
  policy: SamplingPolicy,
  spans: { readonly root?: Attributes; readonly child?: Attributes; readonly resource?: Attributes },
): Promise<boolean> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', ...spans.resource }),
    spanProcessors: [
      new TailSamplingProcessor(
        // The spec's list is valid and unused: `policies` replaces it.
        { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] },
        new SimpleSpanProcessor(exporter),
        { policies: [policy] },
      ),
    ],
  });
  const tracer = provider.getTracer('regression');
  tracer.startActiveSpan('GET /orders', { kind: SpanKind.SERVER, attributes: spans.root }, (root) => {
    tracer.startSpan('load tenant', { kind: SpanKind.INTERNAL, attributes: spans.child }).end();
    root.end();
  });
  await provider.forceFlush();
  const result = exporter.getFinishedSpans().length > 0;
  await provider.shutdown();
  return result;
}

describe('a subclass of AttributePolicy overriding matchesSpan', () => {
  it('is asked about each span: a narrowing override keeps fewer traces', async () => {
    const policy = () => new ServerGold('server-gold', 'tier', ['gold']);
    expect(await kept(policy(), { child: { tier: 'gold' } })).toBe(false);
    expect(await kept(policy(), { root: { tier: 'gold' } })).toBe(true);
    // The resource is still read on its own, once per trace.
    expect(await kept(policy(), { resource: { tier: 'gold' } })).toBe(true);
  });

  it('is asked about each span: a widening override keeps more traces', async () => {
    const policy = () => new GoldOrVip('gold-or-vip', 'tier', ['gold']);
    expect(await kept(policy(), { child: { vip: true } })).toBe(true);
    expect(await kept(policy(), { child: { tier: 'gold' } })).toBe(true);
    expect(await kept(policy(), { child: { tier: 'silver' } })).toBe(false);
  });
});
