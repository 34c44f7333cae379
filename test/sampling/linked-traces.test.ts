// Link-aware tail sampling through the real processor: a storage batch trace linking the requests
// it wrote is kept when any of them is kept, waits for their decisions, and is dropped when none is.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LINKED_POLICY } from '../../src/sampling/linked-policy.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, type Rig } from './harness.js';

const SPEC: SamplingSpec = { decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] };

interface Request {
  readonly root: Span;
  readonly wait: Span;
  readonly traceId: string;
}

function startRequest(r: Rig): Request {
  const root = r.tracer.startSpan('POST /events', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const wait = r.tracer.startSpan('blueprint.batch.wait', {}, trace.setSpan(ROOT_CONTEXT, root));
  return { root, wait, traceId: root.spanContext().traceId };
}

/** The batch as the blueprint writes it: its own trace, a link to each request's span. */
function batch(r: Rig, requests: readonly Request[]): string {
  const span = r.tracer.startSpan(
    'blueprint.batch.store',
    { links: requests.map((request) => ({ context: request.root.spanContext() })) },
    ROOT_CONTEXT,
  );
  span.end();
  return span.spanContext().traceId;
}

function finish(request: Request, failed = false): void {
  request.wait.end();
  if (failed) request.root.setStatus({ code: SpanStatusCode.ERROR });
  request.root.end();
}

function settle(r: Rig, ms: number): void {
  r.clock.advance(ms);
  r.processor.decideDue();
}

describe('link-aware tail sampling', () => {
  it('keeps the batch trace when one request it links to is kept, after the batch ended', () => {
    const r = rig(SPEC);
    const requests = [startRequest(r), startRequest(r), startRequest(r)];
    const batchTrace = batch(r, requests);
    finish(requests[0]!);
    finish(requests[1]!, true); // kept by the errors rule
    finish(requests[2]!);
    settle(r, 150);
    const exported = r.exportedTraces();
    expect(exported).toEqual(new Set([requests[1]!.traceId, batchTrace]));
    const batchSpan = r.exported().find((span) => span.spanContext().traceId === batchTrace)!;
    expect(batchSpan.attributes[POLICY_ATTRIBUTE]).toBe(LINKED_POLICY);
    expect(batchSpan.links.map((link) => link.context.traceId)).toContain(requests[1]!.traceId);
    expect(r.processor.stats().decisions[LINKED_POLICY]).toEqual({ keep: 1, drop: 0 });
  });

  it('waits past its own grace while a linked request is still open, then keeps it with that request', () => {
    const r = rig(SPEC);
    const slow = startRequest(r);
    const batchTrace = batch(r, [slow]);
    settle(r, 150); // the batch's grace is over, its request is not: it waits
    settle(r, 300);
    expect(r.exportedTraces().size).toBe(0);
    finish(slow, true);
    settle(r, 150);
    expect(r.exportedTraces()).toEqual(new Set([slow.traceId, batchTrace]));
  });

  it('drops the batch trace when every request it links to is dropped', () => {
    const r = rig(SPEC);
    const requests = [startRequest(r), startRequest(r)];
    batch(r, requests);
    for (const request of requests) finish(request);
    settle(r, 150);
    settle(r, 150);
    expect(r.exportedTraces().size).toBe(0);
    expect(r.processor.stats()).toMatchObject({ bufferedTraces: 0, bufferedSpans: 0 });
    expect(r.processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 3 });
  });

  it('keeps a batch linking to a request already kept and decided', () => {
    const r = rig(SPEC);
    const request = startRequest(r);
    finish(request, true);
    expect(r.exportedTraces()).toEqual(new Set([request.traceId]));
    const batchTrace = batch(r, [request]);
    expect(r.exportedTraces()).toEqual(new Set([request.traceId, batchTrace]));
  });

  it('when flushed, decides the requests before the batches that link to them', async () => {
    const r = rig({ ...SPEC, policies: [{ name: 'slow', kind: 'latency', thresholdMs: 250 }] });
    const open = startRequest(r);
    const batchTrace = batch(r, [open]);
    r.clock.advance(300); // the request has run 300 ms and is still open when the flush comes
    await r.processor.forceFlush();
    expect(r.exportedTraces()).toEqual(new Set([batchTrace]));
    finish(open); // its spans follow the keep decided at the flush
    expect(r.exportedTraces()).toEqual(new Set([open.traceId, batchTrace]));
  });

  it('gives up waiting at the maximum trace age (a linked request that never ends)', () => {
    const r = rig(SPEC, { processor: { maxTraceAgeMs: 1_000 } });
    const stuck = startRequest(r);
    batch(r, [stuck]);
    for (let i = 0; i < 12; i++) settle(r, 100);
    expect(r.processor.stats().bufferedTraces).toBe(0);
    expect(r.processor.stats().evictions.maxAge).toBeGreaterThan(0);
  });
});
