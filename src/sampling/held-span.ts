// A held span as an object: what the slab (span-slab.ts) gives back when a held span is read (a
// policy re-running during the grace, or the trace kept). It keeps what a ReadableSpan shows, the
// attributes, events, links and context objects of its source by reference and the rest as plain
// fields, so the source can be collected.
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

const NO_EVENTS: TimedEvent[] = [];
const NO_LINKS: Link[] = [];

export class HeldSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly attributes: Attributes;
  readonly events: TimedEvent[];
  readonly links: Link[];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  private readonly context: SpanContext;
  private readonly statusCode: SpanStatus['code'];
  private readonly statusMessage: string | undefined;
  private readonly startSeconds: number;
  private readonly startNanos: number;
  private readonly endSeconds: number;
  private readonly endNanos: number;
  private readonly durationSeconds: number;
  private readonly durationNanos: number;

  constructor(span: ReadableSpan) {
    this.name = span.name;
    this.kind = span.kind;
    this.parentSpanContext = span.parentSpanContext;
    this.attributes = span.attributes;
    this.events = span.events.length === 0 ? NO_EVENTS : span.events;
    this.links = span.links.length === 0 ? NO_LINKS : span.links;
    this.resource = span.resource;
    this.instrumentationScope = span.instrumentationScope;
    this.droppedAttributesCount = span.droppedAttributesCount;
    this.droppedEventsCount = span.droppedEventsCount;
    this.droppedLinksCount = span.droppedLinksCount;
    this.context = span.spanContext();
    const status = span.status;
    this.statusCode = status.code;
    this.statusMessage = status.message;
    [this.startSeconds, this.startNanos] = span.startTime;
    [this.endSeconds, this.endNanos] = span.endTime;
    [this.durationSeconds, this.durationNanos] = span.duration;
  }

  /** A held span of an ended span (already compact: itself). */
  static of(span: ReadableSpan): HeldSpan {
    return span instanceof HeldSpan ? span : new HeldSpan(span);
  }

  spanContext(): SpanContext {
    return this.context;
  }
  // The tuples and status are built on each read: a held span is read by policies when its trace
  // changes and by the exporter if the trace is kept, rarely more.
  get status(): SpanStatus {
    return this.statusMessage === undefined
      ? { code: this.statusCode }
      : { code: this.statusCode, message: this.statusMessage };
  }
  get startTime(): HrTime {
    return [this.startSeconds, this.startNanos];
  }
  get endTime(): HrTime {
    return [this.endSeconds, this.endNanos];
  }
  get duration(): HrTime {
    return [this.durationSeconds, this.durationNanos];
  }
  get ended(): boolean {
    return true;
  }
}
