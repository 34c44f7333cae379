// An open-loop load generator for the blueprint: requests at a set rate whatever the answers
// (so overload is real overload), several tenants, a share of invalid requests and of requests
// with a missing or wrong token, periodic bursts. Counts every answer by status and keeps the
// latencies of accepted requests.
import { Agent, request } from 'node:http';

export interface LoadProfile {
  readonly url: string;
  /** Tenants, their share of the traffic, and the bearer token each presents. */
  readonly tenants: readonly { readonly name: string; readonly weight: number; readonly token?: string }[];
  /** Requests per second outside bursts. */
  readonly ratePerSecond: number;
  readonly eventsPerRequest?: readonly [min: number, max: number];
  /** Share of requests that are invalid on purpose (bad JSON, wrong types, unknown tenant). */
  readonly invalidFraction?: number;
  /** Share of requests sent with a missing or wrong bearer token (401, a security event each). */
  readonly badTokenFraction?: number;
  /** Every `everyMs`, for `durationMs`, the rate is multiplied by `multiplier`. */
  readonly bursts?: { readonly everyMs: number; readonly durationMs: number; readonly multiplier: number };
  /** Client-side bound on open requests; beyond it a request is not sent and counted as skipped. */
  readonly maxOutstanding?: number;
  /**
   * Keep-alive connections to the service (default 128). Bounded so a burst does not open
   * hundreds of sockets at once and measure the kernel's SYN retries instead of the service.
   */
  readonly connections?: number;
}

export interface LoadStats {
  sent: number;
  /** Requests not sent because maxOutstanding requests were open. */
  skipped: number;
  /** Network errors (connection refused/reset). */
  networkErrors: number;
  /**
   * The same by error code (ECONNRESET, EPIPE, ...; the error's name when it has no code): at
   * most NETWORK_ERROR_CODES distinct keys, the rest counted under "other".
   */
  networkErrorsByCode: Record<string, number>;
  byStatus: Record<number, number>;
  /** Events in 202 answers: exactly what the store must hold. */
  acceptedEvents: number;
  degradedRequests: number;
  /** Seconds, of 202 answers (the latest 100,000). */
  acceptedLatencies: number[];
  /** Seconds, of 429 and 503 answers (the latest 100,000). */
  shedLatencies: number[];
  /** Non-202 answers by their `error` field (timeout, queue_full, shed_deadline, ...). */
  byError: Record<string, number>;
}

const LATENCY_CAP = 100_000;
const NETWORK_ERROR_CODES = 8;
const TICK_MS = 10;

export class LoadGenerator {
  readonly stats: LoadStats = {
    sent: 0,
    skipped: 0,
    networkErrors: 0,
    networkErrorsByCode: {},
    byStatus: {},
    acceptedEvents: 0,
    degradedRequests: 0,
    acceptedLatencies: [],
    shedLatencies: [],
    byError: {},
  };
  private readonly agent: Agent;
  private readonly target: URL;
  private timer: NodeJS.Timeout | undefined;
  private outstanding = 0;
  private carry = 0;
  private startedAt = 0;
  private rate: number;
  private idle: (() => void) | undefined;
  private sequence = 0;
  private readonly totalWeight: number;
  private readonly tokens: ReadonlyMap<string, string>;

  constructor(private readonly profile: LoadProfile) {
    this.rate = profile.ratePerSecond;
    this.target = new URL('/events', profile.url);
    this.agent = new Agent({ keepAlive: true, maxSockets: profile.connections ?? 128 });
    this.totalWeight = profile.tenants.reduce((sum, t) => sum + t.weight, 0);
    this.tokens = new Map(
      profile.tenants.flatMap((t) => (t.token === undefined ? [] : [[t.name, t.token] as const])),
    );
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  setRate(ratePerSecond: number): void {
    this.rate = ratePerSecond;
  }

  /** Stops sending and waits for every open request to be answered. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.outstanding > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.agent.destroy();
  }

  /**
   * Sends one request now and resolves with its status (0 on a network error). The tenant's own
   * token goes in `authorization` unless `authorization` is given (null: no header at all).
   */
  send(
    tenant: string,
    body: string | Buffer,
    contentType = 'application/json',
    authorization?: string | null,
  ): Promise<number> {
    const token = this.tokens.get(tenant);
    const auth =
      authorization === undefined ? (token === undefined ? null : `Bearer ${token}`) : authorization;
    this.stats.sent++;
    this.outstanding++;
    let started = performance.now();
    return new Promise<number>((resolve) => {
      const req = request(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': contentType,
            'x-tenant': tenant,
            'content-length': Buffer.byteLength(body),
            ...(auth === null ? {} : { authorization: auth }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
            if (status === 202) {
              const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                accepted: number;
                degraded: boolean;
              };
              this.stats.acceptedEvents += answer.accepted;
              if (answer.degraded) this.stats.degradedRequests++;
              const latencies = this.stats.acceptedLatencies;
              if (latencies.length >= LATENCY_CAP) latencies.splice(0, LATENCY_CAP / 10);
              latencies.push((performance.now() - started) / 1000);
            } else {
              let error = 'unparsed';
              try {
                error = String(
                  (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: unknown }).error,
                );
              } catch {
                // a body that is not our JSON stays 'unparsed'
              }
              this.stats.byError[error] = (this.stats.byError[error] ?? 0) + 1;
              if (status === 429 || status === 503) {
                const shed = this.stats.shedLatencies;
                if (shed.length >= LATENCY_CAP) shed.splice(0, LATENCY_CAP / 10);
                shed.push((performance.now() - started) / 1000);
              }
            }
            this.done();
            resolve(status);
          });
        },
      );
      // Latency from the moment a connection carries the request: time queued in this client's
      // own agent is the generator's, not the service's.
      req.once('socket', () => (started = performance.now()));
      req.on('error', (error: NodeJS.ErrnoException) => {
        this.stats.networkErrors++;
        const byCode = this.stats.networkErrorsByCode;
        let code = error.code ?? error.name;
        if (!Object.hasOwn(byCode, code) && Object.keys(byCode).length >= NETWORK_ERROR_CODES) code = 'other';
        byCode[code] = (byCode[code] ?? 0) + 1;
        this.done();
        resolve(0);
      });
      req.end(body);
    });
  }

  private done(): void {
    this.outstanding--;
    if (this.outstanding === 0 && this.timer === undefined) this.idle?.();
  }

  private tick(): void {
    const bursts = this.profile.bursts;
    const inBurst =
      bursts !== undefined && (Date.now() - this.startedAt) % bursts.everyMs < bursts.durationMs;
    this.carry += ((inBurst ? this.rate * bursts.multiplier : this.rate) * TICK_MS) / 1000;
    const max = this.profile.maxOutstanding ?? 1024;
    while (this.carry >= 1) {
      this.carry--;
      if (this.outstanding >= max) {
        this.stats.skipped++;
        continue;
      }
      const { tenant, body, authorization } = this.nextRequest();
      void this.send(tenant, body, 'application/json', authorization);
    }
  }

  private nextRequest(): { tenant: string; body: string; authorization?: string | null } {
    let pick = Math.random() * this.totalWeight;
    let tenant = this.profile.tenants[0]!.name;
    for (const t of this.profile.tenants) {
      pick -= t.weight;
      if (pick < 0) {
        tenant = t.name;
        break;
      }
    }
    if (Math.random() < (this.profile.invalidFraction ?? 0)) return invalidRequest(tenant, this.sequence++);
    if (Math.random() < (this.profile.badTokenFraction ?? 0)) {
      const n = this.sequence++;
      // Alternately no header and a token that is not the tenant's.
      const authorization = n % 2 === 0 ? null : `Bearer not-the-token-${n.toString(36).padStart(8, '0')}`;
      return { tenant, body: JSON.stringify({ type: 'page.viewed' }), authorization };
    }
    const [min, max] = this.profile.eventsPerRequest ?? [1, 1];
    const count = min + Math.floor(Math.random() * (max - min + 1));
    const events = [];
    for (let i = 0; i < count; i++) {
      const n = this.sequence++;
      events.push({
        type: 'page.viewed',
        id: `e-${n}`,
        timestamp: Date.now(),
        user: `user-${n % 500}`,
        payload: { path: `/p/${n % 50}`, ms: n % 900 },
      });
    }
    return { tenant, body: JSON.stringify(count === 1 ? events[0] : events) };
  }
}

/** The invalid requests the generator mixes in, one of each kind in turn. */
export function invalidRequest(tenant: string, n: number): { tenant: string; body: string } {
  switch (n % 4) {
    case 0:
      return { tenant, body: '{"type": "page.viewed", ' };
    case 1:
      return { tenant, body: JSON.stringify({ type: 42, payload: 'nope' }) };
    case 2:
      return { tenant, body: JSON.stringify({ type: 'page.viewed', extra: true }) };
    default:
      return { tenant: 'no-such-tenant', body: JSON.stringify({ type: 'page.viewed' }) };
  }
}

/** The q-quantile (0..1) of raw samples, nearest rank. */
export function sampleQuantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
