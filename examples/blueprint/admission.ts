// Admission control before work: how many requests may wait for an enrichment worker is derived
// from capacity x deadline, with the capacity measured (worker time per job, hand-off to commit),
// and checked when a request's head arrives, before its body is read. Best-effort tenants may
// fill only part of what the deadline allows, so they are shed first.
import type { TenantClass } from './config.js';

/**
 * A latency estimate that tracks the mean and how far samples stray from it, as TCP does for
 * its retransmission timeout (RFC 6298 section 2: SRTT + 4 * RTTVAR, gains 1/8 and 1/4): an upper
 * bound most samples stay under, that follows a dependency getting slower within a few samples.
 */
export class LatencyEstimate {
  private mean: number;
  private deviation: number;

  constructor(initialMs: number) {
    this.mean = initialMs;
    this.deviation = initialMs / 4;
  }

  record(ms: number): void {
    this.deviation += (Math.abs(ms - this.mean) - this.deviation) / 4;
    this.mean += (ms - this.mean) / 8;
  }

  /** The mean plus four deviations, in ms. */
  get upperMs(): number {
    return this.mean + 4 * this.deviation;
  }
}

/** Share of the wait the deadline allows that best-effort work may fill (latency-sensitive: all). */
export const BEST_EFFORT_SHARE = 0.5;
/** A tenant may hold this many times its fair share of its class's budget while others are quiet. */
const TENANT_SHARE_FACTOR = 2;

export interface AdmissionTenant {
  readonly name: string;
  readonly class: TenantClass;
}

export interface AdmissionSettings {
  /** The request deadline, ms from arrival. */
  readonly deadlineMs: number;
  /** Enrichment workers. */
  readonly concurrency: number;
  /** The enrichment budget: no job holds a worker longer (it goes on degraded). */
  readonly budgetMs: number;
  /** The batcher's longest wait before a commit: the commit estimate starts there. */
  readonly maxBatchWaitMs: number;
}

export type Admission =
  | { readonly admitted: true; readonly ticket: Ticket }
  | {
      readonly admitted: false;
      /** Whole seconds until the waiting work is expected to be done (at least 1). */
      readonly retryAfterSeconds: number;
      /** The budget that refused it, in requests, and whose. */
      readonly budget: number;
      readonly scope: 'class' | 'tenant';
    };

/** One admitted request's place: held from its head until a worker takes it (or it ends first). */
export interface Ticket {
  /** Gives the place back; idempotent. */
  release(): void;
}

interface Waiting {
  count: number;
}

export class AdmissionControl {
  /** Worker time per job: enrichment round trips, capped by the budget. */
  readonly service: LatencyEstimate;
  /** From hand-off to the batcher to the commit. */
  readonly commit: LatencyEstimate;
  private readonly byClass = new Map<TenantClass, Waiting>([
    ['latency-sensitive', { count: 0 }],
    ['best-effort', { count: 0 }],
  ]);
  private readonly byTenant = new Map<string, Waiting & { readonly class: TenantClass }>();
  private readonly tenantsInClass = new Map<TenantClass, number>();

  constructor(
    tenants: readonly AdmissionTenant[],
    private readonly settings: AdmissionSettings,
  ) {
    for (const tenant of tenants) {
      this.byTenant.set(tenant.name, { count: 0, class: tenant.class });
      this.tenantsInClass.set(tenant.class, (this.tenantsInClass.get(tenant.class) ?? 0) + 1);
    }
    // Start from half the budget and the batcher's wait; the first jobs correct both.
    this.service = new LatencyEstimate(settings.budgetMs / 2);
    this.commit = new LatencyEstimate(settings.maxBatchWaitMs);
  }

  /** Worker time a job is expected to take at most (never above the enrichment budget). */
  serviceMs(): number {
    return Math.min(this.settings.budgetMs, this.service.upperMs);
  }

  /** Time a job needs once a worker takes it: its worker time and the commit after it. */
  finishMs(): number {
    return this.serviceMs() + this.commit.upperMs;
  }

  /**
   * Requests that may wait for a worker and still finish by the deadline: the workers finish
   * `concurrency / serviceMs` jobs per ms, for the time a job may wait (the deadline less its own
   * finishing time). At least one, so an idle service always takes a request.
   */
  classBudget(tenantClass: TenantClass): number {
    const slack = this.settings.deadlineMs - this.finishMs();
    const waiting = Math.floor((this.settings.concurrency * Math.max(0, slack)) / this.serviceMs());
    const share = tenantClass === 'best-effort' ? BEST_EFFORT_SHARE : 1;
    return Math.max(1, Math.floor(waiting * share));
  }

  tenantBudget(tenant: string): number {
    const entry = this.byTenant.get(tenant);
    if (entry === undefined) return 0;
    const classBudget = this.classBudget(entry.class);
    const tenants = this.tenantsInClass.get(entry.class) ?? 1;
    return Math.min(classBudget, Math.max(1, Math.ceil((classBudget * TENANT_SHARE_FACTOR) / tenants)));
  }

  /**
   * Admits a request of `tenant` or says when to come back. Latency-sensitive work counts only
   * itself (workers take it first); best-effort work counts everything waiting, so a queue of
   * latency-sensitive work shuts best-effort out before it costs the urgent class anything.
   */
  admit(tenant: string): Admission {
    const entry = this.byTenant.get(tenant);
    if (entry === undefined) return { admitted: false, retryAfterSeconds: 1, budget: 0, scope: 'tenant' };
    const urgent = this.byClass.get('latency-sensitive')!;
    const bestEffort = this.byClass.get('best-effort')!;
    const ahead = entry.class === 'latency-sensitive' ? urgent.count : urgent.count + bestEffort.count;
    const classBudget = this.classBudget(entry.class);
    if (ahead >= classBudget)
      return {
        admitted: false,
        retryAfterSeconds: this.retryAfter(ahead),
        budget: classBudget,
        scope: 'class',
      };
    const tenantBudget = this.tenantBudget(tenant);
    if (entry.count >= tenantBudget)
      return {
        admitted: false,
        retryAfterSeconds: this.retryAfter(ahead),
        budget: tenantBudget,
        scope: 'tenant',
      };
    const classWaiting = this.byClass.get(entry.class)!;
    entry.count++;
    classWaiting.count++;
    let held = true;
    return {
      admitted: true,
      ticket: {
        release: () => {
          if (!held) return;
          held = false;
          entry.count--;
          classWaiting.count--;
        },
      },
    };
  }

  /** Whether a job with `remainingMs` to its deadline can still finish: if not, it is shed unstarted. */
  canFinish(remainingMs: number): boolean {
    return remainingMs >= this.finishMs();
  }

  /** Requests admitted and not yet taken by a worker, per tenant, against each tenant's budget. */
  waiting(): { tenant: string; depth: number; bound: number }[] {
    return [...this.byTenant].map(([tenant, entry]) => ({
      tenant,
      depth: entry.count,
      bound: this.tenantBudget(tenant),
    }));
  }

  retryAfterSeconds(): number {
    const all = this.byClass.get('latency-sensitive')!.count + this.byClass.get('best-effort')!.count;
    return this.retryAfter(all);
  }

  private retryAfter(waiting: number): number {
    const drainMs = (waiting / this.settings.concurrency) * this.serviceMs() + this.finishMs();
    return Math.max(1, Math.ceil(drainMs / 1000));
  }
}
