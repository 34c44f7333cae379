// Fan-out enrichment under a strict budget: every dependency is asked at once; whatever has
// not answered when the budget runs out is left out and the events go on marked degraded.
// The request's own deadline aborts everything (the caller then answers with a timeout). Each
// lookup is a client span whose context goes out through the global propagator (traceparent and
// tracestate, so the sampler's `ot=th` travels); dependencies are http:// or https:// (with an
// optional CA file for a private CA).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Chaos } from './chaos.js';
import type { DependencyConfig } from './config.js';
import { deadlineAfter } from './deadline.js';

export interface EnrichmentResult {
  /** Per dependency: key -> value, for the dependencies that answered in time. */
  readonly values: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Dependencies that failed or did not answer within the budget. */
  readonly missing: readonly string[];
  readonly elapsedMs: number;
}

const MAX_RESPONSE = 1 << 20;
/** How long an aborted lookup may still finish (and keep its socket) before it is cut off. */
const ABANDONED_MS = 1_000;

/**
 * One POST to a dependency over `agent` (an https.Agent for an https:// URL: node's request takes
 * the protocol from the agent); `traceHeaders` are the propagator's fields for the lookup's span,
 * `span` is that span (chaos marks injected faults on it).
 */
export type DependencyCall = (
  url: string,
  body: string,
  signal: AbortSignal,
  agent: Agent,
  traceHeaders: Readonly<Record<string, string>>,
  span: Span,
) => Promise<{ status: number; text: string }>;

/** What a lookup needs of its dependency, built once: the URL and its keep-alive agent. */
interface Target {
  readonly url: string;
  readonly agent: Agent;
}

export class Enricher {
  // Keep-alive so a lookup is one request on a warm socket, not a TCP (or TLS) handshake.
  private readonly targets: readonly Target[];
  /** postJson itself unless chaos is on: chosen once here, never checked per call. */
  private readonly call: DependencyCall;

  /** Throws (naming `dependencies.<name>.ca`) when a CA file cannot be read. */
  constructor(
    private readonly dependencies: readonly DependencyConfig[],
    private readonly budgetMs: number,
    private readonly tracer: Tracer,
    chaos?: Chaos,
  ) {
    this.call = chaos === undefined ? postJson : chaos.dependencyCall(postJson);
    this.targets = dependencies.map((dep) => ({ url: `${dep.url}/lookup`, agent: agentFor(dep) }));
  }

  /**
   * Looks `keys` up in every dependency. Rejects only when `deadline` aborts (the request's
   * own timeout or its client gone); a dependency failure or the budget never rejects.
   */
  async enrich(keys: readonly string[], deadline: AbortSignal, parent: Context): Promise<EnrichmentResult> {
    const started = performance.now();
    const budget = deadlineAfter(this.budgetMs, deadline);
    let outcomes;
    try {
      outcomes = await Promise.all(
        this.dependencies.map((dep, i) => this.lookup(dep, this.targets[i]!, keys, budget.signal, parent)),
      );
    } finally {
      budget.dispose();
    }
    if (deadline.aborted) throw deadline.reason ?? new Error('request deadline exceeded');
    const values: Record<string, Record<string, string>> = {};
    const missing: string[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i];
      if (outcome === undefined) missing.push(this.dependencies[i]!.name);
      else values[this.dependencies[i]!.name] = outcome;
    }
    return { values, missing, elapsedMs: performance.now() - started };
  }

  close(): void {
    for (const target of this.targets) target.agent.destroy();
  }

  private async lookup(
    dep: DependencyConfig,
    target: Target,
    keys: readonly string[],
    signal: AbortSignal,
    parent: Context,
  ): Promise<Record<string, string> | undefined> {
    const span = this.tracer.startSpan(
      `lookup ${dep.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'peer.service': dep.name,
          'http.request.method': 'POST',
          'url.full': target.url,
          'blueprint.keys': keys.length,
        },
      },
      parent,
    );
    try {
      // Whatever the app's propagator writes (W3C traceparent and tracestate by default).
      const traceHeaders: Record<string, string> = {};
      propagation.inject(trace.setSpan(parent, span), traceHeaders);
      const body = await this.call(
        target.url,
        JSON.stringify({ keys }),
        signal,
        target.agent,
        traceHeaders,
        span,
      );
      span.setAttribute('http.response.status_code', body.status);
      if (body.status !== 200) throw new Error(`${dep.name} answered ${body.status}`);
      const parsed = JSON.parse(body.text) as { values?: unknown };
      if (typeof parsed.values !== 'object' || parsed.values === null)
        throw new Error(`${dep.name} answered without values`);
      return parsed.values as Record<string, string>;
    } catch (error) {
      const budgetSpent = signal.aborted;
      span.setAttribute('blueprint.budget_exhausted', budgetSpent);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: budgetSpent ? 'enrichment budget exhausted' : (error as Error).message,
      });
      return undefined;
    } finally {
      span.end();
    }
  }
}

/** A keep-alive agent for the dependency: https (trusting `ca` when set, else the system CAs) or http. */
function agentFor(dep: DependencyConfig): Agent {
  const options = { keepAlive: true, maxSockets: 256 };
  if (!dep.url.startsWith('https:')) return new Agent(options);
  let ca: Buffer | undefined;
  if (dep.caPath !== undefined) {
    try {
      ca = readFileSync(dep.caPath);
    } catch (error) {
      throw new Error(
        `dependencies.${dep.name}.ca: cannot read ${dep.caPath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        { cause: error },
      );
    }
  }
  return new HttpsAgent({ ...options, ...(ca === undefined ? {} : { ca }), minVersion: 'TLSv1.2' });
}

/** The plain dependency call (exported for the chaos bench's no-hook baseline). */
export const postJson: DependencyCall = (url, body, signal, agent, traceHeaders) => {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    for (const key in traceHeaders) headers[key] = traceHeaders[key]!;
    // An abort answers the caller at once but lets the exchange finish in the background, so its
    // keep-alive socket goes back to the pool: destroying it (the `signal` option) cost a new
    // TCP connection per budget overrun, exactly when the dependency is already slow. An exchange
    // that is still not done ABANDONED_MS later is cut off.
    let abandonTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      reject(signal.reason);
      abandonTimer = setTimeout(() => req.destroy(), ABANDONED_MS);
      abandonTimer.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE) req.destroy(new Error('response too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(abandonTimer);
        signal.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      clearTimeout(abandonTimer);
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.end(body);
  });
};
