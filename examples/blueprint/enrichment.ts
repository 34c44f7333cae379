// Fan-out enrichment under a strict budget: every dependency is asked at once; whatever has
// not answered when the budget runs out is left out and the events go on marked degraded.
// The request's own deadline aborts everything (the caller then answers with a timeout).
import { Agent, request } from 'node:http';
import {
  SpanKind,
  SpanStatusCode,
  isSpanContextValid,
  type Context,
  type Span,
  type SpanContext,
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

/** One POST to a dependency; `span` is the lookup's (chaos marks injected faults on it). */
export type DependencyCall = (
  url: string,
  body: string,
  signal: AbortSignal,
  agent: Agent,
  traceparent: string | undefined,
  span: Span,
) => Promise<{ status: number; text: string }>;

export class Enricher {
  // Keep-alive so a lookup is one request on a warm socket, not a TCP handshake.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** postJson itself unless chaos is on: chosen once here, never checked per call. */
  private readonly call: DependencyCall;

  constructor(
    private readonly dependencies: readonly DependencyConfig[],
    private readonly budgetMs: number,
    private readonly tracer: Tracer,
    chaos?: Chaos,
  ) {
    this.call = chaos === undefined ? postJson : chaos.dependencyCall(postJson);
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
        this.dependencies.map((dep) => this.lookup(dep, keys, budget.signal, parent)),
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
    this.agent.destroy();
  }

  private async lookup(
    dep: DependencyConfig,
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
          'url.full': `${dep.url}/lookup`,
          'blueprint.keys': keys.length,
        },
      },
      parent,
    );
    try {
      const traceparent = formatTraceparent(span.spanContext());
      const body = await this.call(
        `${dep.url}/lookup`,
        JSON.stringify({ keys }),
        signal,
        this.agent,
        traceparent,
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

/** W3C traceparent of the span in `ctx`, so a dependency can join the trace. */
function formatTraceparent(spanContext: SpanContext): string | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 1).toString(16)}`;
}

/** The plain dependency call (exported for the chaos bench's no-hook baseline). */
export const postJson: DependencyCall = (url, body, signal, agent, traceparent) => {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (traceparent !== undefined) headers.traceparent = traceparent;
    const req = request(url, { method: 'POST', agent, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE) req.destroy(new Error('response too large'));
        else chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
};
