import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../../src/spec/types.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import {
  CUT_SPANS_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  POLICY_ATTRIBUTE,
  TRUNCATED_ATTRIBUTE,
} from '../../src/sampling/sampled-span.js';
import { isErrorSpan } from '../../src/sampling/errors-policy.js';
import { buildPolicies } from '../../src/sampling/build-policies.js';
import type { PolicyDecision, SamplingPolicy } from '../../src/sampling/policy.js';
import { DROP } from '../../src/sampling/policy.js';
import type { Rig } from './harness.js';
import { rig } from './harness.js';

const ERRORS_ONLY: SamplingSpec = { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] };

function child(r: Rig, parent: Span, name: string, attributes: Attributes = {}): Span {
  return r.tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));
}

/** A finished two-span trace; returns its trace ID. */
function request(
  r: Rig,
  options: { error?: 'status' | '5xx' | 'child'; attributes?: Attributes } = {},
): string {
  const root = r.tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    attributes: options.attributes ?? {},
  });
  const db = child(r, root, 'SELECT orders');
  if (options.error === 'child') db.setStatus({ code: SpanStatusCode.ERROR });
  db.end();
  if (options.error === 'status') root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  if (options.error === '5xx') root.setAttribute('http.response.status_code', 503);
  root.end();
  return root.spanContext().traceId;
}

describe('TailSamplingProcessor', () => {
  it('keeps every error trace (status ERROR anywhere, or HTTP 5xx) and drops the rest when nothing else matches', () => {
    const r = rig(ERRORS_ONLY);
    const errorTraces = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const kind = i % 10 === 0 ? 'status' : i % 10 === 1 ? '5xx' : i % 10 === 2 ? 'child' : undefined;
      const id = request(r, kind === undefined ? {} : { error: kind });
      if (kind !== undefined) errorTraces.add(id);
    }
    expect(r.exportedTraces()).toEqual(errorTraces);
    expect(r.exported()).toHaveLength(errorTraces.size * 2); // whole traces
    expect(r.processor.stats().decisions).toMatchObject({
      errors: { keep: 90, drop: 0 },
      'no-match': { keep: 0, drop: 210 },
    });
    for (const span of r.exported()) expect(span.attributes[POLICY_ATTRIBUTE]).toBe('errors');
  });

  it('does not count a 4xx as an error', () => {
    const r = rig(ERRORS_ONLY);
    request(r, { attributes: { 'http.response.status_code': 404 } });
    expect(r.exported()).toHaveLength(0);
  });

  it('decides when the local trace is done, not on a timer from the first span: a keep at once, anything else after the grace', () => {
    const r = rig({ decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] });
    const root = r.tracer.startSpan('job');
    const work = child(r, root, 'long step');
    root.setStatus({ code: SpanStatusCode.ERROR });
    r.clock.advance(10);
    root.end();
    // The local root ended but a local span is still open: not done, however long that takes.
    r.clock.advance(30_000);
    r.processor.decideDue();
    expect(r.exported()).toHaveLength(0);
    work.end(); // done, and kept by a rule: nothing later can undo a keep, so it goes now
    expect(
      r
        .exported()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['job', 'long step']);
    expect(r.processor.stats().bufferedTraces).toBe(0);

    // Nothing matches yet: the trace waits out the grace in case detached work adds an error.
    const quiet = request(r);
    r.clock.advance(99);
    r.processor.decideDue();
    expect(r.processor.stats().bufferedTraces).toBe(1);
    r.clock.advance(1);
    r.processor.decideDue();
    expect(r.processor.stats().bufferedTraces).toBe(0);
    expect(r.exportedTraces().has(quiet)).toBe(false);
    expect(r.processor.stats().decisions).toMatchObject({
      errors: { keep: 1, drop: 0 },
      'no-match': { keep: 0, drop: 1 },
    });
  });

  it('waits for detached work that starts within the grace period', () => {
    const r = rig({ decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] });
    const root = r.tracer.startSpan('handler');
    root.end();
    r.clock.advance(50);
    const detached = child(r, root, 'fire-and-forget');
    r.clock.advance(100);
    r.processor.decideDue();
    expect(r.processor.stats().bufferedTraces).toBe(1);
    detached.setStatus({ code: SpanStatusCode.ERROR });
    detached.end();
    r.clock.advance(100);
    r.processor.decideDue();
    expect(
      r
        .exported()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['fire-and-forget', 'handler']);
    expect(r.processor.stats().lateSpans).toEqual({ kept: 0, dropped: 0 });
  });

  it('runs each policy once per trace: spans in the grace re-run only the rules before the one that answered', () => {
    // A custom policy that drops everything and counts how often it ran (a budget, which counts
    // arrivals, must see each trace once).
    class DropAll implements SamplingPolicy {
      readonly kind = 'drop-all';
      readonly name = 'drop-all';
      runs = 0;
      evaluate(): PolicyDecision {
        this.runs++;
        return DROP;
      }
    }
    const dropAll = new DropAll();
    const r = rig(
      { decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] },
      { processor: { policies: [...buildPolicies([{ name: 'errors', kind: 'errors' }]), dropAll] } },
    );
    // Done and dropped for now; detached work then ends with an error within the grace.
    const root = r.tracer.startSpan('handler');
    root.end();
    expect(dropAll.runs).toBe(1);
    const detached = child(r, root, 'fire-and-forget');
    detached.setStatus({ code: SpanStatusCode.ERROR });
    detached.end(); // done again: the rules before drop-all run again, and errors keeps it now
    expect(r.exported().map((span) => span.attributes[POLICY_ATTRIBUTE])).toEqual(['errors', 'errors']);
    expect(dropAll.runs).toBe(1);

    // A detached span that changes nothing: re-checked at the deadline, drop-all's answer stands.
    const quiet = r.tracer.startSpan('quiet');
    quiet.end();
    child(r, quiet, 'detached, fine').end();
    r.clock.advance(100);
    r.processor.decideDue();
    expect(dropAll.runs).toBe(2);
    expect(r.processor.stats().decisions).toMatchObject({
      errors: { keep: 1, drop: 0 },
      'drop-all': { keep: 0, drop: 1 },
    });

    // An exemplar marked during the grace keeps a trace the chain had dropped.
    const marked = request(r);
    expect(r.processor.markExemplar(marked)).toBe(true);
    r.clock.advance(100);
    r.processor.decideDue();
    expect(r.exportedTraces().has(marked)).toBe(true);
    expect(dropAll.runs).toBe(3);
    expect(r.processor.stats().decisions['exemplar']).toEqual({ keep: 1, drop: 0 });
  });

  it('sends late spans the way of their trace: kept ones exported with the decision, dropped ones dropped', () => {
    // Caps force a decision while a span is still open (maxTraces 1 below), the span ends late.
    const small = rig({ ...ERRORS_ONLY, maxTraces: 1 });
    const keptRoot = small.tracer.startSpan('kept');
    keptRoot.setStatus({ code: SpanStatusCode.ERROR });
    const keptChild = child(small, keptRoot, 'kept child');
    keptChild.setStatus({ code: SpanStatusCode.ERROR });
    keptChild.end();
    const droppedRoot = small.tracer.startSpan('dropped'); // evicts "kept" (decided: error child)
    const droppedChild = child(small, droppedRoot, 'dropped child');
    small.tracer.startSpan('third').end(); // evicts "dropped" (no error yet: dropped)
    keptRoot.end();
    droppedChild.setStatus({ code: SpanStatusCode.ERROR }); // too late: the decision stands
    droppedChild.end();
    droppedRoot.end();
    expect(
      small
        .exported()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['kept', 'kept child']);
    const late = small.exported().find((span) => span.name === 'kept')!;
    expect(late.attributes[POLICY_ATTRIBUTE]).toBe('errors');
    expect(late.spanContext().traceState?.get('ot')).toBe('th:0');
    expect(small.processor.stats().lateSpans).toEqual({ kept: 1, dropped: 2 });
    expect(small.processor.stats().evictions.maxTraces).toBe(2);
  });

  it('keeps a trace an exemplar points at, and tells the registry when it cannot', () => {
    const r = rig(ERRORS_ONLY);
    const root = r.tracer.startSpan('GET /slow');
    const id = root.spanContext().traceId;
    expect(r.processor.markExemplar(id)).toBe(true); // pending: now kept
    root.end();
    expect(r.exportedTraces()).toEqual(new Set([id]));
    expect(r.exported()[0]!.attributes[POLICY_ATTRIBUTE]).toBe('exemplar');
    expect(r.processor.markExemplar(id)).toBe(true); // already kept
    const dropped = request(r);
    expect(r.processor.markExemplar(dropped)).toBe(false); // dropped: no exemplar may point at it
    expect(r.processor.markExemplar('0af7651916cd43dd8448eb211c80319c')).toBe(false); // never seen
  });

  it('never exceeds its caps under a flood, truncating big traces to root + errors + a count', () => {
    const maxTraces = 20;
    const maxSpansPerTrace = 10;
    const maxBytes = 200_000;
    const r = rig({
      decisionWaitMs: 100,
      maxTraces,
      maxSpansPerTrace,
      maxBytes,
      policies: [{ name: 'errors', kind: 'errors' }],
    });
    let worstTraces = 0;
    let worstBytes = 0;
    const check = () => {
      const stats = r.processor.stats();
      worstTraces = Math.max(worstTraces, stats.bufferedTraces);
      worstBytes = Math.max(worstBytes, stats.bufferedBytes);
    };
    const open: Span[] = [];
    for (let i = 0; i < 500; i++) {
      // Traces that never finish, and big traces with an error at the end.
      if (i % 2 === 0) {
        open.push(r.tracer.startSpan(`open ${i}`));
      } else {
        const root = r.tracer.startSpan(`big ${i}`);
        for (let s = 0; s < 40; s++) {
          const step = child(r, root, `step ${s}`, { payload: 'x'.repeat(200) });
          if (s === 5 || s === 39) step.setStatus({ code: SpanStatusCode.ERROR });
          step.end();
          check();
        }
        root.end();
      }
      check();
    }
    expect(worstTraces).toBeLessThanOrEqual(maxTraces);
    expect(worstBytes).toBeLessThanOrEqual(maxBytes);
    const stats = r.processor.stats();
    expect(stats.evictions.maxTraces).toBeGreaterThan(0);
    expect(stats.truncatedTraces).toBeGreaterThan(0);
    // A truncated trace that made it out whole (decided after its root ended) keeps root + both errors.
    const byTrace = new Map<string, ReadableSpan[]>();
    for (const span of r.exported())
      byTrace.set(span.spanContext().traceId, [...(byTrace.get(span.spanContext().traceId) ?? []), span]);
    let checked = 0;
    for (const spans of byTrace.values()) {
      const root = spans.find((span) => span.name.startsWith('big '));
      if (root === undefined) continue;
      expect(spans.length).toBeLessThanOrEqual(maxSpansPerTrace);
      expect(
        spans
          .filter((span) => isErrorSpan(span))
          .map((span) => span.name)
          .sort(),
      ).toEqual(['step 39', 'step 5']);
      expect(root.attributes[TRUNCATED_ATTRIBUTE]).toBe(true);
      expect(root.attributes[CUT_SPANS_ATTRIBUTE]).toBe(41 - spans.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    for (const span of open) span.end();
  });

  it('decides early on maxBytes, oldest first', () => {
    const r = rig({ decisionWaitMs: 100, maxBytes: 5_000, policies: [{ name: 'errors', kind: 'errors' }] });
    const roots: Span[] = [];
    for (let i = 0; i < 30; i++) {
      const root = r.tracer.startSpan(`t${i}`);
      root.setStatus({ code: SpanStatusCode.ERROR });
      child(r, root, 'step').end();
      roots.push(root);
      expect(r.processor.stats().bufferedBytes).toBeLessThanOrEqual(5_000);
    }
    expect(r.processor.stats().evictions.maxBytes).toBeGreaterThan(0);
    for (const root of roots) root.end();
    r.clock.advance(100);
    r.processor.decideDue();
    // Policies see ended spans only: the traces evicted before their (error) root ended were
    // dropped, and those roots followed that decision; the rest were kept whole.
    expect(r.processor.stats().lateSpans.dropped).toBeGreaterThan(0);
    expect(r.processor.stats().bufferedTraces).toBe(0);
    const dropped = r.processor.stats().lateSpans.dropped;
    expect(r.exportedTraces().size).toBe(30 - dropped);
  });

  it('shutdown decides and forwards everything buffered, once, then ignores spans', async () => {
    const exporter = new InMemorySpanExporter();
    let nextShutdowns = 0;
    const inner = new SimpleSpanProcessor(exporter);
    const next: SpanProcessor = {
      onStart: (span, ctx) => inner.onStart(span, ctx),
      onEnd: (span) => inner.onEnd(span),
      forceFlush: () => inner.forceFlush(),
      shutdown: () => {
        nextShutdowns++;
        return inner.forceFlush();
      },
    };
    const spec: SamplingSpec = {
      decisionWaitMs: 10_000,
      policies: [{ name: 'marked', kind: 'attribute', key: 'keep', values: ['yes'] }],
    };
    const processor = new TailSamplingProcessor(spec, next);
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    // Five traces still running (their roots open) with a marked child already ended, and one
    // done trace that matches nothing yet (waiting out the grace).
    const roots: Span[] = [];
    for (let i = 0; i < 5; i++) {
      const root = tracer.startSpan(`root ${i}`);
      tracer
        .startSpan(`marked ${i}`, { attributes: { keep: 'yes' } }, trace.setSpan(context.active(), root))
        .end();
      roots.push(root);
    }
    tracer.startSpan('unmarked').end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(processor.stats().bufferedTraces).toBe(6);
    await Promise.all([processor.shutdown(), processor.shutdown()]);
    expect(
      exporter
        .getFinishedSpans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['marked 0', 'marked 1', 'marked 2', 'marked 3', 'marked 4']);
    expect(nextShutdowns).toBe(1);
    for (const root of roots) root.end();
    expect(processor.stats().spansAfterShutdown).toBe(5);
    expect(processor.stats().evictions.flush).toBe(6);
    expect(processor.stats().decisions).toMatchObject({
      marked: { keep: 5, drop: 0 },
      'no-match': { keep: 0, drop: 1 },
    });
  });

  it('forceFlush decides what is buffered and flushes the next processor', async () => {
    const r = rig({ decisionWaitMs: 10_000, policies: [{ name: 'errors', kind: 'errors' }] });
    const root = r.tracer.startSpan('running');
    const failed = child(r, root, 'failed step');
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    expect(r.exported()).toHaveLength(0); // the trace is not done: its root is open
    await r.processor.forceFlush();
    expect(r.exported().map((span) => span.name)).toEqual(['failed step']);
    root.end(); // late: follows the decision forceFlush made
    expect(r.exported().map((span) => span.name)).toEqual(['failed step', 'running']);
    expect(r.processor.stats().lateSpans).toEqual({ kept: 1, dropped: 0 });
  });

  it('writes ot=th into the exported tracestate, keeping other vendors and an upstream threshold', () => {
    const r = rig({
      decisionWaitMs: 0,
      policies: [{ name: 'tier', kind: 'attribute', key: 'tier', values: ['gold'] }],
    });
    const parent = trace.setSpanContext(context.active(), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('vendor=abc,ot=th:c;rv:fffffffffffff0'),
    });
    const span = r.tracer.startSpan('consume', { attributes: { tier: 'gold' } }, parent);
    span.end();
    const [exported] = r.exported();
    const state = exported!.spanContext().traceState!;
    expect(state.get('vendor')).toBe('abc');
    // Kept by a rule (probability 1) after an upstream 25% sampler: the stricter th stays.
    expect(state.get('ot')).toBe('th:c;rv:fffffffffffff0');
    expect(exported!.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    expect(exported!.attributes).toMatchObject({ tier: 'gold', [POLICY_ATTRIBUTE]: 'tier' });
  });

  it('in dry run keeps everything and reports what it would have done', () => {
    const r = rig({ ...ERRORS_ONLY, dryRun: true });
    request(r, { error: 'status' });
    request(r);
    const outcomes = r.exported().map((span) => span.attributes[DRY_RUN_ATTRIBUTE]);
    expect(outcomes.sort()).toEqual(['drop', 'drop', 'keep', 'keep']);
    for (const span of r.exported()) expect(span.spanContext().traceState?.get('ot')).toBe('th:0');
    expect(r.processor.stats().decisions).toMatchObject({ errors: { keep: 1 }, 'no-match': { drop: 1 } });
  });

  it('composes with ParentBased(AlwaysOn): unsampled parents are never recorded, sampled ones are tail-sampled and propagate sampled=1', () => {
    const r = rig(ERRORS_ONLY);
    const remote = (flags: number) =>
      trace.setSpanContext(context.active(), {
        traceId: '5bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: flags,
        isRemote: true,
      });
    const unsampled = r.tracer.startSpan('from unsampled', {}, remote(TraceFlags.NONE));
    expect(unsampled.isRecording()).toBe(false);
    unsampled.setStatus({ code: SpanStatusCode.ERROR });
    unsampled.end();
    expect(r.processor.stats().decisions['errors']).toEqual({ keep: 0, drop: 0 }); // never saw it
    expect(r.exported()).toHaveLength(0);

    // A recorded span of a trace the tail sampler will drop still propagates sampled=1: the flag
    // now means "recorded, every hop decides at its tail", not "will be exported".
    const root = r.tracer.startSpan('GET /x', { kind: SpanKind.SERVER });
    const carrier: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(trace.setSpan(context.active(), root), carrier, {
      set: (c, k, v) => ((c as Record<string, string>)[k] = v),
    });
    expect(carrier['traceparent']).toMatch(/-01$/);
    root.end();
    expect(r.exported()).toHaveLength(0);
  });

  it('never throws into the app when the next processor or a policy throws', () => {
    const failing: SpanProcessor = {
      onStart: () => {
        throw new Error('start');
      },
      onEnd: () => {
        throw new Error('end');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const processor = new TailSamplingProcessor(ERRORS_ONLY, failing);
    const r = rig(ERRORS_ONLY);
    const span = r.tracer.startSpan('x');
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(() => {
      processor.onStart(span as never, context.active());
      processor.onEnd(span as never);
    }).not.toThrow();
    expect(processor.stats().nextProcessorErrors).toBe(2);
  });
});
