// The blueprint service: POST /events -> validate -> per-tenant two-class queue -> enrichment
// fan-out under a budget -> batched SQLite store, answering 202 only once the events are
// committed. GET /healthz (readiness), GET /metrics (plumbline's exposition). drain() is SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { Batcher } from './batcher.js';
import { chaosEnabled } from './chaos-profiles.js';
import { createChaos, parserFor, type Chaos } from './chaos.js';
import type { BlueprintConfig } from './config.js';
import { deadlineAfter } from './deadline.js';
import { Enricher } from './enrichment.js';
import type { IncomingEvent } from './event-validation.js';
import { EventStore, type StoredEvent } from './event-store.js';
import { assessHealth, type HealthReport } from './health.js';
import { RejectionLog } from './rejection-log.js';
import { TwoClassScheduler } from './scheduler.js';
import type { DecisionReason, Outcome } from './telemetry.js';
import type { TelemetryPort } from './telemetry-port.js';

export interface BlueprintService {
  readonly url: string;
  readonly port: number;
  readonly stats: ServiceStats;
  /** The fault injector when [chaos] is on (its `injected` counts), else undefined. */
  readonly chaos: Chaos | undefined;
  health(): HealthReport;
  /** Stops admitting (503 draining), finishes every queued and running request, flushes the store. Idempotent. */
  drain(): Promise<void>;
}

export interface ServiceStats {
  /** Requests answered 202, and the events in them (all committed). */
  acceptedRequests: number;
  acceptedEvents: number;
  degradedRequests: number;
  rejectedByReason: Record<string, number>;
  timedOut: number;
  failed: number;
}

interface Job {
  readonly tenant: string;
  readonly events: readonly IncomingEvent[];
  readonly weight: number;
  readonly signal: AbortSignal;
  readonly ctx: Context;
  readonly span: Span;
  readonly receivedAt: number;
  settle(result: { degraded: boolean } | Error): void;
}

const ROUTE = '/events';
const UNKNOWN_TENANT = '_unknown';

export async function startBlueprint(
  config: BlueprintConfig,
  telemetry: TelemetryPort,
): Promise<BlueprintService> {
  const { tracer } = telemetry;
  // Chaos hooks are chosen here, once: off means the plain functions, not a check per call.
  const chaos = chaosEnabled(config.chaos) ? createChaos(config.chaos, telemetry) : undefined;
  const parseBody = parserFor(chaos);
  const store = new EventStore(config.storage.path, config.storage.synchronous);
  const batcher = new Batcher(store, config.storage, telemetry, chaos);
  const enricher = new Enricher(config.dependencies, config.enrichment.budgetMs, tracer, chaos);
  const scheduler = new TwoClassScheduler<Job>(config.tenants, config.enrichment.concurrency, runJob, (job) =>
    job.settle(abortError(job.signal)),
  );
  const rejections = new RejectionLog(telemetry);
  const duration = telemetry.metrics.histogram('blueprint.request.duration');
  const decisions = telemetry.metrics.counter('blueprint.ingress.decisions');
  const queueDepth = telemetry.metrics.gauge('blueprint.queue.depth');
  const tenants = new Set(config.tenants.map((t) => t.name));
  const queueBounds = new Map(config.tenants.map((t) => [t.name, t.queueBound]));
  const stats: ServiceStats = {
    acceptedRequests: 0,
    acceptedEvents: 0,
    degradedRequests: 0,
    rejectedByReason: {},
    timedOut: 0,
    failed: 0,
  };

  let inFlight = 0;
  let draining = false;
  let drained: Promise<void> | undefined;
  let onIdle: (() => void) | undefined;

  // Sampled, not set per enqueue: the gauge is read at scrape time anyway.
  const depthTimer = setInterval(publishDepths, 250);
  depthTimer.unref();
  function publishDepths(): void {
    for (const q of scheduler.depths()) queueDepth.set(q.depth, { tenant: q.tenant });
  }

  const server = createServer((req, res) => {
    const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
    if (path === ROUTE) {
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: 'method_not_allowed', detail: 'POST /events' }, { allow: 'POST' });
      void handleEvents(req, res);
    } else if (path === '/healthz' && req.method === 'GET') {
      const report = health();
      sendJson(res, report.httpStatus, report);
    } else if (path === '/metrics' && req.method === 'GET') {
      telemetry.metricsHandler(req, res);
    } else {
      sendJson(res, 404, { error: 'not_found', detail: 'routes: POST /events, GET /healthz, GET /metrics' });
    }
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.service.port, config.service.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  function health(): HealthReport {
    return assessHealth({
      draining,
      inFlight,
      maxInFlight: config.ingress.maxInFlight,
      queues: scheduler.depths(),
      slos: telemetry.slo.status(),
    });
  }

  async function handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const header = req.headers['x-tenant'];
    const known = typeof header === 'string' && tenants.has(header);
    // Never the raw header as an attribute: an attacker would pick the metric cardinality.
    const tenant = known ? header : UNKNOWN_TENANT;
    const span = tracer.startSpan(
      'POST /events',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': ROUTE, tenant } },
      ROOT_CONTEXT,
    );
    const ctx = trace.setSpan(ROOT_CONTEXT, span);

    const finish = (
      status: number,
      outcome: Outcome,
      body: unknown,
      headers?: Record<string, string>,
    ): void => {
      if (!res.headersSent && !res.destroyed) sendJson(res, status, body, headers);
      span.setAttribute('http.response.status_code', status);
      span.setAttribute('outcome', outcome);
      if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      // Recorded inside the request's context so the slow buckets get this trace as exemplar.
      otelContext.with(ctx, () =>
        duration.record((performance.now() - started) / 1000, { route: ROUTE, tenant, outcome }),
      );
      span.end();
    };
    const reject = (
      status: number,
      reason: DecisionReason,
      detail: string | undefined,
      headers?: Record<string, string>,
    ): void => {
      stats.rejectedByReason[reason] = (stats.rejectedByReason[reason] ?? 0) + 1;
      decisions.add(1, { tenant, decision: 'rejected', reason });
      rejections.record(tenant, reason, status, detail);
      span.setAttribute('blueprint.rejection_reason', reason);
      finish(
        status,
        status === 429 || status === 503 ? 'shed' : 'rejected',
        { error: reason, ...(detail === undefined ? {} : { detail }) },
        headers,
      );
    };

    if (draining)
      return reject(503, 'draining', 'the service is shutting down', {
        'retry-after': '1',
        connection: 'close',
      });
    if (!known)
      return reject(
        403,
        'unknown_tenant',
        typeof header === 'string' ? 'no such tenant (x-tenant header)' : 'missing x-tenant header',
      );
    if (inFlight >= config.ingress.maxInFlight)
      return reject(503, 'overloaded', `more than ${config.ingress.maxInFlight} requests in flight`, {
        'retry-after': '1',
      });
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType))
      return reject(415, 'unsupported_media_type', 'content-type must be application/json');
    const declared = Number(req.headers['content-length']);
    if (declared > config.ingress.maxBodyBytes) {
      return reject(413, 'body_too_large', `body over ${config.ingress.maxBodyBytes} bytes`, {
        connection: 'close',
      });
    }

    inFlight++;
    let clientGone = false;
    const requestDeadline = deadlineAfter(config.ingress.timeoutMs);
    const deadline = requestDeadline.signal;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      requestDeadline.abort(new Error('client closed the connection'));
    });
    try {
      const body = await readBody(req, config.ingress.maxBodyBytes, deadline);
      if (body === 'too_large')
        return reject(413, 'body_too_large', `body over ${config.ingress.maxBodyBytes} bytes`, {
          connection: 'close',
        });
      if (body === 'aborted')
        return reject(408, 'body_timeout', `body not received within ${config.ingress.timeoutMs} ms`, {
          connection: 'close',
        });
      const parsed = parseBody(body, config.ingress, span);
      if (!parsed.ok) return reject(400, parsed.reason, parsed.detail);

      const events = parsed.events;
      let settle!: (result: { degraded: boolean } | Error) => void;
      const done = new Promise<{ degraded: boolean } | Error>((resolve) => (settle = resolve));
      const job: Job = {
        tenant,
        events,
        weight: events.length,
        signal: deadline,
        ctx,
        span,
        receivedAt: Date.now(),
        settle,
      };
      if (scheduler.offer(tenant, job) !== 'queued') {
        return reject(429, 'queue_full', `tenant queue holds at most ${queueBounds.get(tenant)} events`, {
          'retry-after': '1',
        });
      }
      decisions.add(1, { tenant, decision: 'accepted', reason: 'accepted' });
      span.setAttribute('blueprint.events', events.length);

      const outcome = await done;
      if (outcome instanceof Error) {
        if (clientGone) return finish(499, 'rejected', { error: 'client_closed' });
        const timedOut = deadline.aborted;
        if (timedOut) stats.timedOut++;
        else stats.failed++;
        span.recordException(outcome);
        return finish(
          timedOut ? 503 : 500,
          'error',
          {
            error: timedOut ? 'timeout' : 'internal',
            detail: timedOut ? `not stored within ${config.ingress.timeoutMs} ms` : 'storage failed',
          },
          timedOut ? { 'retry-after': '1' } : undefined,
        );
      }
      stats.acceptedRequests++;
      stats.acceptedEvents += events.length;
      if (outcome.degraded) stats.degradedRequests++;
      finish(202, outcome.degraded ? 'degraded' : 'ok', {
        accepted: events.length,
        degraded: outcome.degraded,
      });
    } catch (error) {
      stats.failed++;
      span.recordException(error as Error);
      finish(500, 'error', { error: 'internal' });
    } finally {
      requestDeadline.dispose();
      inFlight--;
      if (inFlight === 0) onIdle?.();
    }
  }

  /** One scheduler slot: enrichment, then hand-off to the batcher (the slot frees before the commit). */
  async function runJob(job: Job): Promise<void> {
    if (job.signal.aborted) return job.settle(abortError(job.signal));
    let enrichment;
    try {
      const keys = [...new Set(job.events.map((e) => e.user ?? job.tenant))];
      enrichment = await enricher.enrich(keys, job.signal, job.ctx);
    } catch {
      return job.settle(abortError(job.signal));
    }
    // Past this point the events are committed whatever the deadline says: once handed to the
    // batcher they are part of a transaction, so the answer must be 202.
    if (job.signal.aborted) return job.settle(abortError(job.signal));
    const degraded = enrichment.missing.length > 0;
    if (degraded) {
      job.span.setAttribute('blueprint.degraded', true);
      job.span.setAttribute('blueprint.missing_deps', [...enrichment.missing]);
      telemetry.log.event('enrichment.degraded', {
        tenant: job.tenant,
        missing_deps: enrichment.missing,
        elapsed_ms: Math.round(enrichment.elapsedMs * 10) / 10,
        events: job.events.length,
      });
    }
    const rows: StoredEvent[] = job.events.map((event) => {
      const key = event.user ?? job.tenant;
      const values: Record<string, string | null> = {};
      for (const dep of config.dependencies) values[dep.name] = enrichment.values[dep.name]?.[key] ?? null;
      return {
        tenant: job.tenant,
        type: event.type,
        clientId: event.id ?? null,
        receivedAt: job.receivedAt,
        timestamp: event.timestamp ?? null,
        payload: event.payload === undefined ? null : JSON.stringify(event.payload),
        enrichment: JSON.stringify(values),
        degraded,
      };
    });
    batcher.add(rows, job.span).then(
      () => job.settle({ degraded }),
      (error: Error) => job.settle(error),
    );
  }

  function drain(): Promise<void> {
    drained ??= (async () => {
      draining = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          // Bounded: every request ends by its deadline plus one batch wait; this is a backstop.
          setTimeout(resolve, config.ingress.timeoutMs + config.storage.maxWaitMs + 10_000).unref();
        });
      }
      await scheduler.idle();
      // Waits for delayed and retried commits too: the store closes only when all are settled.
      await batcher.drain();
      clearInterval(depthTimer);
      publishDepths();
      server.closeAllConnections();
      enricher.close();
      store.close();
    })();
    return drained;
  }

  return { url: `http://${config.service.host}:${port}`, port, stats, chaos, health, drain };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('request deadline exceeded');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The body as text, or why not: over the limit, or the deadline/client aborted first. */
function readBody(
  req: IncomingMessage,
  limit: number,
  signal: AbortSignal,
): Promise<string | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: string | 'too_large' | 'aborted') => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      // Stop reading: the rest of an oversized or abandoned body is not wanted.
      if (value === 'too_large' || value === 'aborted') req.resume();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle('too_large');
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks, size).toString('utf8'));
    const onError = () => settle('aborted');
    const onAbort = () => settle('aborted');
    if (signal.aborted) return settle('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
