// What a kept span looks like to the next processor: the same read-only span, with the sampled
// flag set, `ot=th` in its tracestate and the policy that kept it as an attribute. ReadableSpan
// cannot be changed after end, so this wraps it; the merged attributes are built on first read
// (at export, off the hot path).
import { TraceFlags } from '@opentelemetry/api';
import type {
  Attributes,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
  TraceState,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/** Attribute naming the policy that kept the span's trace. */
export const POLICY_ATTRIBUTE = 'plumbline.sampling.policy';
/** On the local root of a truncated trace: true. */
export const TRUNCATED_ATTRIBUTE = 'plumbline.sampling.truncated';
/** On the local root of a truncated trace: how many spans were cut. */
export const CUT_SPANS_ATTRIBUTE = 'plumbline.sampling.cut_spans';
/** In dry-run mode: what the sampler would have done ("keep" or "drop"). */
export { DRY_RUN_ATTRIBUTE } from '../spec/naming.js';

export class SampledSpan implements ReadableSpan {
  // ReadableSpan declares `parentSpanContext?: SpanContext`; a getter typed `SpanContext |
  // undefined` breaks consumers that check the shipped types with exactOptionalPropertyTypes.
  readonly parentSpanContext?: SpanContext;
  private context: SpanContext | undefined;
  private merged: Attributes | undefined;

  constructor(
    private readonly span: ReadableSpan,
    private readonly traceState: TraceState,
    private readonly policy: string,
    private readonly extra: Attributes | undefined,
  ) {
    if (span.parentSpanContext !== undefined) this.parentSpanContext = span.parentSpanContext;
  }

  spanContext(): SpanContext {
    if (this.context !== undefined) return this.context;
    const inner = this.span.spanContext();
    this.context = {
      traceId: inner.traceId,
      spanId: inner.spanId,
      traceFlags: inner.traceFlags | TraceFlags.SAMPLED,
      isRemote: inner.isRemote,
      traceState: this.traceState,
    };
    return this.context;
  }

  get attributes(): Attributes {
    if (this.merged === undefined) {
      const merged: Attributes = {};
      const own = this.span.attributes;
      // Own keys only: an attribute named __proto__ may have given the object another prototype.
      const plain = Object.getPrototypeOf(own) === Object.prototype;
      for (const key in own) if (plain || Object.hasOwn(own, key)) merged[key] = own[key];
      merged[POLICY_ATTRIBUTE] = this.policy;
      const extra = this.extra;
      if (extra !== undefined) for (const key in extra) merged[key] = extra[key];
      this.merged = merged;
    }
    return this.merged;
  }

  /** The span as the SDK ended it. */
  get original(): ReadableSpan {
    return this.span;
  }

  get name(): string {
    return this.span.name;
  }
  get kind(): SpanKind {
    return this.span.kind;
  }
  get startTime(): HrTime {
    return this.span.startTime;
  }
  get endTime(): HrTime {
    return this.span.endTime;
  }
  get status(): SpanStatus {
    return this.span.status;
  }
  get links(): Link[] {
    return this.span.links;
  }
  get events(): TimedEvent[] {
    return this.span.events;
  }
  get duration(): HrTime {
    return this.span.duration;
  }
  get ended(): boolean {
    return this.span.ended;
  }
  get resource(): Resource {
    return this.span.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.span.instrumentationScope;
  }
  get droppedAttributesCount(): number {
    return this.span.droppedAttributesCount;
  }
  get droppedEventsCount(): number {
    return this.span.droppedEventsCount;
  }
  get droppedLinksCount(): number {
    return this.span.droppedLinksCount;
  }
}

/**
 * The tracestate written on kept spans. One instance is shared by the spans of a trace (and of
 * consecutive traces with the same inbound state and threshold), and an OTLP exporter serializes
 * it once per span: the serialized form is computed once.
 */
export class SerializedTraceState implements TraceState {
  /** `serialized`: the state's serialize(), when read already. */
  constructor(
    private readonly state: TraceState,
    private serialized?: string,
  ) {}

  set(key: string, value: string): TraceState {
    return this.state.set(key, value);
  }
  unset(key: string): TraceState {
    return this.state.unset(key);
  }
  get(key: string): string | undefined {
    return this.state.get(key);
  }
  serialize(): string {
    return (this.serialized ??= this.state.serialize());
  }
}
