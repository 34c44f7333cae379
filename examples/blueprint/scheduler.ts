// Bounded per-tenant queues drained by a fixed number of workers, two classes as the seed's
// scheduling section says: latency-sensitive tenants always go first, best-effort ones when
// none is waiting; round-robin between tenants of a class so no tenant starves its peers.
import type { TenantClass, TenantConfig } from './config.js';

export interface SchedulerJob {
  /** Units counted against the tenant's queue bound (events). */
  readonly weight: number;
  /** Aborted jobs leave the queue at once and are never run. */
  readonly signal: AbortSignal;
}

interface TenantQueue<J extends SchedulerJob> {
  readonly name: string;
  readonly class: TenantClass;
  readonly bound: number;
  readonly items: J[];
  head: number;
  /** Weight waiting (aborted jobs excluded). */
  depth: number;
}

/** 'cancelled': its signal had aborted already; `cancelled` was called for it, as for a job aborted while it waits. */
export type OfferResult = 'queued' | 'full' | 'unknown_tenant' | 'cancelled';

export class TwoClassScheduler<J extends SchedulerJob> {
  private readonly queues = new Map<string, TenantQueue<J>>();
  private readonly urgent: TenantQueue<J>[] = [];
  private readonly bestEffort: TenantQueue<J>[] = [];
  private urgentCursor = 0;
  private bestEffortCursor = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    tenants: readonly Pick<TenantConfig, 'name' | 'class' | 'queueBound'>[],
    private readonly concurrency: number,
    private readonly run: (job: J) => Promise<void>,
    /** Called for a job whose signal aborted while it waited; it will never run. */
    private readonly cancelled: (job: J) => void,
    /**
     * Workers best-effort work leaves idle: it starts only while fewer than `concurrency -
     * reserve` jobs run, so a latency-sensitive request arriving finds a free worker instead of
     * waiting out a best-effort job (jobs cannot be preempted).
     */
    private readonly reserveForUrgent = 0,
  ) {
    for (const tenant of tenants) {
      const queue: TenantQueue<J> = {
        name: tenant.name,
        class: tenant.class,
        bound: tenant.queueBound,
        items: [],
        head: 0,
        depth: 0,
      };
      this.queues.set(tenant.name, queue);
      (tenant.class === 'latency-sensitive' ? this.urgent : this.bestEffort).push(queue);
    }
  }

  /**
   * Queues a job, or says why not. A job heavier than the whole bound is let into an empty
   * queue, so a large (but valid) request is slow rather than refused forever.
   */
  offer(tenant: string, job: J): OfferResult {
    const queue = this.queues.get(tenant);
    if (queue === undefined) return 'unknown_tenant';
    // Aborted before it got here (its client left, or its deadline passed, while its body was
    // parsed): an 'abort' listener would never fire, and it would wait with its weight until a
    // worker took it only to drop it.
    if (job.signal.aborted) {
      this.cancelled(job);
      return 'cancelled';
    }
    if (queue.depth + job.weight > queue.bound && queue.depth > 0) return 'full';
    queue.items.push(job);
    queue.depth += job.weight;
    job.signal.addEventListener('abort', () => this.forget(queue, job), { once: true });
    this.pump();
    return 'queued';
  }

  /** Weight waiting per tenant. */
  depths(): { tenant: string; depth: number; bound: number }[] {
    return [...this.queues.values()].map((q) => ({ tenant: q.name, depth: q.depth, bound: q.bound }));
  }

  get active(): number {
    return this.running;
  }

  /** Resolves once every queue is empty and no job is running (used by drain). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.running > 0) return false;
    for (const queue of this.queues.values()) if (queue.head < queue.items.length) return false;
    return true;
  }

  private forget(queue: TenantQueue<J>, job: J): void {
    // Only jobs still waiting count; a running job's weight already left the queue.
    const index = queue.items.indexOf(job, queue.head);
    if (index < 0) return;
    queue.items.splice(index, 1);
    queue.depth -= job.weight;
    this.cancelled(job);
    this.notifyIdle();
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const job = this.next();
      if (job === undefined) break;
      this.running++;
      this.run(job)
        .catch(() => {})
        .finally(() => {
          this.running--;
          this.pump();
          this.notifyIdle();
        });
    }
  }

  private next(): J | undefined {
    const urgent = this.take(this.urgent, 'urgent');
    if (urgent !== undefined || this.running >= this.concurrency - this.reserveForUrgent) return urgent;
    return this.take(this.bestEffort, 'bestEffort');
  }

  private take(ring: TenantQueue<J>[], which: 'urgent' | 'bestEffort'): J | undefined {
    const start = which === 'urgent' ? this.urgentCursor : this.bestEffortCursor;
    for (let step = 0; step < ring.length; step++) {
      const index = (start + step) % ring.length;
      const queue = ring[index]!;
      if (queue.head >= queue.items.length) continue;
      const job = queue.items[queue.head]!;
      queue.items[queue.head] = undefined as unknown as J;
      queue.head++;
      // Compact now and then instead of shift() per job (O(n) on a long queue).
      if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
        queue.items.splice(0, queue.head);
        queue.head = 0;
      }
      queue.depth -= job.weight;
      if (which === 'urgent') this.urgentCursor = index + 1;
      else this.bestEffortCursor = index + 1;
      return job;
    }
    return undefined;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
