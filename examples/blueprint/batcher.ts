// Groups stored requests into batches by size and time: a batch commits as soon as min_batch
// events wait (never more than max_batch in one transaction, never splitting a request), or
// when its oldest event has waited max_wait_ms. Each request's trace holds its wait for the
// commit (a child span, linked to the batch that stored it); the batch's storage span, a trace of
// its own, links every request it stored, and the tail sampler keeps it when it keeps one of them.
// A failed transaction rolls back and is retried, so a killed flush loses no accepted event.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link, type Span } from '@opentelemetry/api';
import type { Chaos } from './chaos.js';
import type { EventStore, StoredEvent } from './event-store.js';
import type { TelemetryPort } from './telemetry-port.js';

export interface BatchEntry {
  readonly rows: readonly StoredEvent[];
  /** The request's span: linked from the batch's storage span (and marked by injected faults). */
  readonly span: Span;
  /** The request's wait for the commit, a child of `span`: ends (linked to the batch) when it commits. */
  readonly wait: Span;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface BatchPolicy {
  readonly minBatch: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

/** Writes one batch in one transaction (the store's insertBatch, or a chaos wrapper of it). */
export type BatchInsert = (
  rows: readonly StoredEvent[],
  span: Span,
  entries: readonly BatchEntry[],
) => { firstId: number; lastId: number };

/** Runs a commit: now, or (chaos tail latency) later. */
export type FlushScheduler = (commit: () => void, span: Span, entries: readonly BatchEntry[]) => void;

/**
 * Attempts per batch: a failed transaction (rolled back) is retried after 2, 4, 8, 16 ms; only
 * when every attempt failed do its requests get an error (and then nothing of them is stored).
 */
export const MAX_COMMIT_ATTEMPTS = 5;

const commitNow: FlushScheduler = (commit) => commit();

export class Batcher {
  private pending: BatchEntry[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Commits started but not finished (delayed) plus retries waiting for their timer. */
  private unsettled = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly batchSize;
  private readonly flushDuration;
  /** Chosen once: the plain store write and an immediate commit unless chaos is on. */
  private readonly insert: BatchInsert;
  private readonly schedule: FlushScheduler;
  /** Events committed since start. */
  stored = 0;
  batches = 0;
  /** Transactions that failed and were retried. */
  retries = 0;

  constructor(
    store: EventStore,
    private readonly policy: BatchPolicy,
    private readonly telemetry: TelemetryPort,
    chaos?: Chaos,
  ) {
    this.batchSize = telemetry.metrics.histogram('blueprint.batch.size');
    this.flushDuration = telemetry.metrics.histogram('blueprint.batch.flush.duration');
    this.insert = chaos === undefined ? store.insertBatch : chaos.storageInsert(store);
    this.schedule = chaos === undefined ? commitNow : chaos.scheduleFlush;
  }

  /** Resolves when the entry's rows are committed; rejects if every attempt of their transaction failed. */
  add(rows: readonly StoredEvent[], span: Span): Promise<void> {
    const wait = this.telemetry.tracer.startSpan(
      'blueprint.batch.wait',
      { kind: SpanKind.INTERNAL, attributes: { 'blueprint.events': rows.length } },
      trace.setSpan(ROOT_CONTEXT, span),
    );
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, span, wait, resolve, reject });
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
      this.commit(entries.slice(start, end), size, 1);
      start = end;
    }
  }

  /** Flushes, then resolves once every commit (delayed or being retried) has settled. */
  drain(): Promise<void> {
    this.flush();
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private commit(entries: readonly BatchEntry[], size: number, attempt: number): void {
    const links: Link[] = entries.map((entry) => ({ context: entry.span.spanContext() }));
    const span = this.telemetry.tracer.startSpan('blueprint.batch.store', {
      kind: SpanKind.INTERNAL,
      links,
      attributes: {
        'blueprint.batch.size': size,
        'blueprint.batch.requests': entries.length,
        'blueprint.batch.attempt': attempt,
        'db.system.name': 'sqlite',
        'db.operation.name': 'INSERT',
      },
    });
    this.unsettled++;
    // The flush is timed from here: a commit that waits on slow storage (chaos tail latency) is
    // a slow commit, which the storage SLO must see.
    const started = performance.now();
    this.schedule(() => this.write(entries, size, attempt, span, started), span, entries);
  }

  private write(
    entries: readonly BatchEntry[],
    size: number,
    attempt: number,
    span: Span,
    started: number,
  ): void {
    const rows: StoredEvent[] = [];
    for (const entry of entries) for (const row of entry.rows) rows.push(row);
    try {
      const { firstId, lastId } = this.insert(rows, span, entries);
      const flushMs = performance.now() - started;
      this.stored += size;
      this.batches++;
      this.batchSize.record(size);
      this.flushDuration.record(flushMs / 1000);
      this.telemetry.log.event(
        'batch.stored',
        {
          batch_size: size,
          flush_ms: round(flushMs),
          first_id: firstId,
          last_id: lastId,
          requests: entries.length,
        },
        trace.setSpan(ROOT_CONTEXT, span),
      );
      // From the request's trace to the write that stored it: the wait span links the batch.
      const stored: Link = { context: span.spanContext() };
      for (const entry of entries) {
        entry.wait.addLink(stored);
        entry.wait.end();
        entry.resolve();
      }
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.recordException(error as Error);
      if (attempt < MAX_COMMIT_ATTEMPTS) {
        // The transaction rolled back: nothing of it is stored, so the same entries go again.
        this.retries++;
        this.unsettled++;
        setTimeout(() => {
          this.unsettled--;
          this.commit(entries, size, attempt + 1);
        }, 2 ** attempt);
      } else {
        for (const entry of entries) {
          entry.wait.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          entry.wait.end();
          entry.reject(error as Error);
        }
      }
    } finally {
      span.end();
      this.unsettled--;
      if (this.unsettled === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
