// Groups stored requests into batches by size and time: a batch commits as soon as min_batch
// events wait (never more than max_batch in one transaction, never splitting a request), or
// when its oldest event has waited max_wait_ms. The storage span links every request it stored.
import { SpanKind, SpanStatusCode, type Link, type SpanContext } from '@opentelemetry/api';
import type { EventStore, StoredEvent } from './event-store.js';
import type { TelemetryPort } from './telemetry-port.js';

export interface BatchEntry {
  readonly rows: readonly StoredEvent[];
  /** The request's span, linked from the batch's storage span. */
  readonly spanContext: SpanContext;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface BatchPolicy {
  readonly minBatch: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

export class Batcher {
  private pending: BatchEntry[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly batchSize;
  private readonly flushDuration;
  /** Events committed since start. */
  stored = 0;
  batches = 0;

  constructor(
    private readonly store: EventStore,
    private readonly policy: BatchPolicy,
    private readonly telemetry: TelemetryPort,
  ) {
    this.batchSize = telemetry.metrics.histogram('blueprint.batch.size');
    this.flushDuration = telemetry.metrics.histogram('blueprint.batch.flush.duration');
  }

  /** Resolves when the entry's rows are committed; rejects if their transaction failed. */
  add(rows: readonly StoredEvent[], spanContext: SpanContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, spanContext, resolve, reject });
      this.pendingEvents += rows.length;
      if (this.pendingEvents >= this.policy.minBatch) {
        // Coalesce everything added in this turn of the event loop into the flush.
        this.immediate ??= setImmediate(() => this.flush());
      } else if (this.timer === undefined) {
        this.timer = setTimeout(() => this.flush(), this.policy.maxWaitMs);
      }
    });
  }

  get waiting(): number {
    return this.pendingEvents;
  }

  /** Commits everything waiting now, in batches of at most max_batch events. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const entries = this.pending;
    this.pending = [];
    this.pendingEvents = 0;
    let start = 0;
    while (start < entries.length) {
      let end = start;
      let size = 0;
      while (
        end < entries.length &&
        (end === start || size + entries[end]!.rows.length <= this.policy.maxBatch)
      ) {
        size += entries[end]!.rows.length;
        end++;
      }
      this.commit(entries.slice(start, end), size);
      start = end;
    }
  }

  private commit(entries: readonly BatchEntry[], size: number): void {
    const links: Link[] = entries.map((entry) => ({ context: entry.spanContext }));
    const span = this.telemetry.tracer.startSpan('blueprint.batch.store', {
      kind: SpanKind.INTERNAL,
      links,
      attributes: {
        'blueprint.batch.size': size,
        'blueprint.batch.requests': entries.length,
        'db.system.name': 'sqlite',
        'db.operation.name': 'INSERT',
      },
    });
    const started = performance.now();
    const rows: StoredEvent[] = [];
    for (const entry of entries) for (const row of entry.rows) rows.push(row);
    try {
      const { firstId, lastId } = this.store.insertBatch(rows);
      const flushMs = performance.now() - started;
      this.stored += size;
      this.batches++;
      this.batchSize.record(size);
      this.flushDuration.record(flushMs / 1000);
      this.telemetry.log.event('batch.stored', {
        batch_size: size,
        flush_ms: round(flushMs),
        first_id: firstId,
        last_id: lastId,
        requests: entries.length,
      });
      for (const entry of entries) entry.resolve();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      for (const entry of entries) entry.reject(error as Error);
    } finally {
      span.end();
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
