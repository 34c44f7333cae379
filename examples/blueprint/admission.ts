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
/**
 * Share of the event loop each class may spend reading and parsing bodies, split evenly among
 * its tenants. Parsing runs on the one thread every request shares: 1 MiB bodies from a
 * best-effort flood took checkout's p99 from 67 to 300 ms before this bound.
 */
export const PARSE_SHARE: Readonly<Record<TenantClass, number>> = {
  'latency-sensitive': 0.5,
  'best-effort': 0.1,
};
/** A parse-time bucket holds at most this much time, so a burst cannot block the loop for longer. */
const PARSE_BURST_MS = 20;
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
  /** Largest body: charged for a body whose length is not declared, and the smallest burst. */
  readonly maxBodyBytes: number;
  /** Workers best-effort work never takes (the scheduler keeps them for latency-sensitive work). */
  readonly reserveForUrgent?: number;
  /** Jobs running now: a free worker takes a request at once, so it is room on top of the budget. */
  readonly running?: () => number;
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

/** A tenant's parse allowance: a bucket of event-loop time, refilled at its share of the clock. */
interface ParseBucket {
  readonly share: number;
  /** ms of parsing it may still do (negative: in debt after a body larger than it declared). */
  tokensMs: number;
  refilledAt: number;
}

const MIB = 1 << 20;

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
  private readonly parseBuckets = new Map<string, ParseBucket>();
  /** Parse cost, ms per MiB of body, measured on every body parsed. */
  readonly parse = new LatencyEstimate(5);

  constructor(
    tenants: readonly AdmissionTenant[],
    private readonly settings: AdmissionSettings,
  ) {
    for (const tenant of tenants) {
      this.byTenant.set(tenant.name, { count: 0, class: tenant.class });
      this.tenantsInClass.set(tenant.class, (this.tenantsInClass.get(tenant.class) ?? 0) + 1);
    }
    const now = performance.now();
    for (const tenant of tenants) {
      const share = PARSE_SHARE[tenant.class] / (this.tenantsInClass.get(tenant.class) ?? 1);
      this.parseBuckets.set(tenant.name, { share, tokensMs: PARSE_BURST_MS, refilledAt: now });
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
    const reserve = entry.class === 'best-effort' ? (this.settings.reserveForUrgent ?? 0) : 0;
    const free = Math.max(0, this.settings.concurrency - (this.settings.running?.() ?? 0) - reserve);
    const classBudget = this.classBudget(entry.class) + free;
    if (ahead >= classBudget)
      return {
        admitted: false,
        retryAfterSeconds: this.retryAfter(ahead),
        budget: classBudget,
        scope: 'class',
      };
    const tenantBudget = this.tenantBudget(tenant) + free;
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

  /**
   * Charges the expected parse time of a body of `declaredBytes` (undefined: not declared, the
   * largest allowed) to the tenant's parse allowance, or refuses it with seconds to wait. The
   * bucket refills at the tenant's share of the clock, so parsing of one tenant's bodies takes
   * at most that share of the event loop, whoever else waits on it.
   */
  chargeParse(
    tenant: string,
    declaredBytes: number | undefined,
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.parseBuckets.get(tenant);
    if (bucket === undefined) return { ok: false, retryAfterSeconds: 1 };
    const now = performance.now();
    const burst = Math.max(PARSE_BURST_MS, this.parseMs(this.settings.maxBodyBytes));
    bucket.tokensMs = Math.min(burst, bucket.tokensMs + (now - bucket.refilledAt) * bucket.share);
    bucket.refilledAt = now;
    const cost = this.parseMs(declaredBytes ?? this.settings.maxBodyBytes);
    if (bucket.tokensMs < cost) {
      const waitMs = (cost - bucket.tokensMs) / bucket.share;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    bucket.tokensMs -= cost;
    return { ok: true };
  }

  /** Records a body's parse time; the difference to what was charged is settled on its tenant. */
  parsed(tenant: string, chargedBytes: number | undefined, bytes: number, ms: number): void {
    if (bytes >= 4096) this.parse.record((ms * MIB) / bytes);
    this.refundParse(tenant, chargedBytes, ms);
  }

  /** Gives back what chargeParse took, less `spentMs` (0: a body never parsed). */
  refundParse(tenant: string, chargedBytes: number | undefined, spentMs = 0): void {
    const bucket = this.parseBuckets.get(tenant);
    if (bucket !== undefined)
      bucket.tokensMs += this.parseMs(chargedBytes ?? this.settings.maxBodyBytes) - spentMs;
  }

  private parseMs(bytes: number): number {
    return (this.parse.upperMs * bytes) / MIB;
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

  /** Whether any admitted request is still waiting for a worker (or still being read). */
  anyWaiting(): boolean {
    return this.byClass.get('latency-sensitive')!.count + this.byClass.get('best-effort')!.count > 0;
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
