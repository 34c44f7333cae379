// The blueprint service: POST /events -> authenticate -> validate -> per-tenant two-class queue
// -> enrichment fan-out under a budget -> batched SQLite store, answering 202 only once the events
// are committed. The public listener (HTTPS when given a key pair) serves only POST /events; GET
// /healthz and GET /metrics are on the admin listener, loopback by default. drain() is SIGTERM.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AdmissionControl, type Ticket } from './admission.js';
import { Batcher } from './batcher.js';
import { chaosEnabled } from './chaos-profiles.js';
import { createChaos, parserFor, type Chaos } from './chaos.js';
import { ConfigError, type BlueprintConfig } from './config.js';
import { guardListener, type ListenerGuard } from './connection-guard.js';
import { deadlineAfter } from './deadline.js';
import { Enricher } from './enrichment.js';
import { parseBytes, type IncomingEvent, type ValidationResult } from './event-validation.js';
import { EventStore, type StoredEvent } from './event-store.js';
import { assessHealth, type HealthReport } from './health.js';
import { OFF_LOOP_BYTES, ParsePool, type ParsePlace, type ParsePoolStats } from './parse-pool.js';
import { RejectionLog } from './rejection-log.js';
import { TwoClassScheduler } from './scheduler.js';
import { createTenantAuthenticator, MIN_TOKEN_LENGTH } from './tenant-auth.js';
import {
  REFUSED_BODY_OUTCOMES,
  type DecisionReason,
  type Outcome,
  type RefusedBodyOutcome,
} from './telemetry.js';
import type { TelemetryPort } from './telemetry-port.js';
import { readTlsPair, TlsReloader, type TlsPairFiles } from './tls-reloader.js';

export interface BlueprintService {
  /** The public listener (https:// when TLS is on): POST /events only. */
  readonly url: string;
  readonly port: number;
  /** The admin listener: GET /metrics and GET /healthz. */
  readonly adminUrl: string;
  readonly adminPort: number;
  /** Checks the TLS files for a rotated pair now (they are also polled); no-op without TLS. */
  reloadTls(): Promise<void>;
  /** Reads the tenants' token files for a rotated token now (they are also polled). */
  reloadTokens(): void;
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
  /** Bodies parsed off the event loop, and those shed because the parse pool was full. */
  parsePool: ParsePoolStats;
}

interface Job {
  readonly tenant: string;
  readonly events: readonly IncomingEvent[];
  readonly weight: number;
  readonly signal: AbortSignal;
  readonly ctx: Context;
  readonly span: Span;
  readonly receivedAt: number;
  /** performance.now() at which the request's deadline passes. */
  readonly deadlineAt: number;
  /** Its place in the admission budget, given back when a worker takes it. */
  readonly ticket: Ticket;
  settle(result: JobResult): void;
}

/** How a job ended: stored, failed, or shed unstarted because it could no longer finish in time. */
type JobResult = { degraded: boolean } | Error | 'shed';

const ROUTE = '/events';
const UNKNOWN_TENANT = '_unknown';
const REFUSED_BODIES: ReadonlySet<string> = new Set(REFUSED_BODY_OUTCOMES);

export interface StartOptions {
  /** Where tenant tokens named by token_env are read. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts both listeners. Throws ConfigError (naming the key) when a tenant token or the TLS pair
 * cannot be read: a service that cannot authenticate or encrypt does not start.
 */
export async function startBlueprint(
  config: BlueprintConfig,
  telemetry: TelemetryPort,
  options: StartOptions = {},
): Promise<BlueprintService> {
  const { tracer } = telemetry;
  const authenticator = createTenantAuthenticator(config.tenants, options.env, config.source);
  const tlsConfig = config.service.tls;
  let tlsPair: TlsPairFiles | undefined;
  if (tlsConfig !== undefined) {
    try {
      tlsPair = readTlsPair(tlsConfig);
    } catch (error) {
      throw new ConfigError(config.source, [
        `service.tls_cert/tls_key: cannot read ${tlsConfig.certPath} or ${tlsConfig.keyPath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      ]);
    }
  }
  // Chaos hooks are chosen here, once: off means the plain functions, not a check per call.
  const chaos = chaosEnabled(config.chaos) ? createChaos(config.chaos, telemetry) : undefined;
  const parseBody = parserFor(chaos);
  // Large bodies are parsed on worker threads; with chaos on, every body goes through the
  // corrupting parser on the loop instead (chaos runs are about faults, not parse cost).
  const parsePool =
    chaos === undefined && config.ingress.maxBodyBytes >= OFF_LOOP_BYTES ? new ParsePool() : undefined;
  // First: a dependency's CA file that cannot be read stops the start before anything is opened.
  const enricher = new Enricher(config.dependencies, config.enrichment.budgetMs, tracer, chaos);
  const store = new EventStore(config.storage.path, config.storage.synchronous);
  const batcher = new Batcher(store, config.storage, telemetry, chaos);
  // A job whose deadline passed while it waited was never started: shed, not failed (its client
  // hanging up is told apart by the handler).
  const scheduler = new TwoClassScheduler<Job>(
    config.tenants,
    config.enrichment.concurrency,
    runJob,
    (job) => job.settle('shed'),
    urgentReserve(config),
  );
  const admission = new AdmissionControl(config.tenants, {
    deadlineMs: config.ingress.timeoutMs,
    concurrency: config.enrichment.concurrency,
    budgetMs: config.enrichment.budgetMs,
    maxBatchWaitMs: config.storage.maxWaitMs,
    maxBodyBytes: config.ingress.maxBodyBytes,
    reserveForUrgent: urgentReserve(config),
    running: () => scheduler.active,
  });
  const rejections = new RejectionLog(telemetry);
  const duration = telemetry.metrics.histogram('http.server.request.duration');
  // url.scheme of the public listener (OTel HTTP conventions, on the server span and the metric).
  const scheme = tlsConfig === undefined ? 'http' : 'https';
  const decisions = telemetry.metrics.counter('blueprint.ingress.decisions');
  const queueDepth = telemetry.metrics.gauge('blueprint.queue.depth');
  const tenants = new Set(config.tenants.map((t) => t.name));
  const classOf = new Map<string, string>(config.tenants.map((t) => [t.name, t.class]));
  const lookups = telemetry.metrics.counter('blueprint.enrichment.lookups');
  const queueBounds = new Map(config.tenants.map((t) => [t.name, t.queueBound]));
  const stats: ServiceStats = {
    acceptedRequests: 0,
    acceptedEvents: 0,
    degradedRequests: 0,
    rejectedByReason: {},
    timedOut: 0,
    failed: 0,
    parsePool: parsePool?.stats ?? { parsed: 0, shed: 0, expired: 0 },
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

  const publicHandler = (req: IncomingMessage, res: ServerResponse): void => {
    // Pipelined behind an answer that closes the connection: not processed, not counted, never
    // answered (RFC 9112 9.6; the answer before it was counted, and closes the connection).
    if (publicGuard.behindClose(req)) return;
    const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
    if (path === ROUTE) {
      if (req.method !== 'POST')
        return sendJson(
          res,
          405,
          { error: 'method_not_allowed', detail: 'POST /events' },
          { allow: 'POST', ...unreadBodyHeaders(req) },
        );
      void handleEvents(req, res);
    } else {
      sendJson(res, 404, { error: 'not_found', detail: 'route: POST /events' }, unreadBodyHeaders(req));
    }
  };
  const serverOptions = {
    headersTimeout: config.service.headersTimeoutMs,
    requestTimeout: config.service.requestTimeoutMs,
    keepAliveTimeout: config.service.keepAliveTimeoutMs,
    // Node checks the two timeouts above only every connectionsCheckingInterval (default 30 s):
    // a 10 s headersTimeout then fires anywhere up to 40 s. Checking twice a second keeps every
    // timeout within 0.5 s of its setting.
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  const httpsServer =
    tlsPair === undefined
      ? undefined
      : createHttpsServer(
          {
            ...serverOptions,
            cert: tlsPair.cert,
            key: tlsPair.key,
            minVersion: 'TLSv1.2',
            // The handshake is the first part of a request head: bounded like the head, not by
            // Node's 120 s default, during which a stalled handshake held a connection slot that
            // no newcomer could take (bytes had arrived, so it was never idle).
            handshakeTimeout: config.service.headersTimeoutMs,
          },
          publicHandler,
        );
  const server: Server = httpsServer ?? createServer(serverOptions, publicHandler);
  // `Expect: 100-continue` goes to the handler, which answers 100 only once it will read the body.
  server.on('checkContinue', publicHandler);
  const connectionRefused: ListenerGuard['onRefused'] = (refusal) =>
    telemetry.log.event('connection.refused', refusal);
  const publicGuard = guardListener(server, {
    listener: 'public',
    maxConnections: config.service.maxConnections,
    maxConnectionsPerAddress: config.service.maxConnectionsPerAddress,
    onRefused: connectionRefused,
  });
  // A client that did not finish the handshake: a wrong CA, plain HTTP on the TLS port, a scanner.
  // A client that hung up mid-handshake leaves destroyed sockets that no longer know their peer:
  // the address is noted when the TCP connection arrives, keyed by the socket under the TLS one
  // (node's `_parent`), and forgotten with it.
  const peers = new WeakMap<Socket, string>();
  httpsServer?.on('connection', (raw: Socket) => {
    if (raw.remoteAddress !== undefined) peers.set(raw, raw.remoteAddress);
  });
  httpsServer?.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const raw = (socket as Socket & { _parent?: Socket })._parent;
    telemetry.log.event('tls.handshake_failed', {
      source: socket.remoteAddress ?? (raw === undefined ? undefined : peers.get(raw)) ?? 'unknown',
      outcome: 'refused',
      error: error.code ?? error.message,
    });
  });
  // The admin listener: metrics and readiness, for the scraper and the load balancer only.
  const adminAuthorized = adminTokenCheck(config, options.env ?? process.env);
  const admin = createServer(
    // Timeouts checked as often as the public listener's: at Node's default of every 30 s, idle
    // connections held the admin listener's 64 slots for 30 s at a time (a hostile-client trial).
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req, res) => {
      // As on the public listener: nothing behind an answer that closes (its 401) is served.
      if (adminGuard.behindClose(req)) return;
      const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
      if (!adminAuthorized(req.headers.authorization))
        return sendJson(
          res,
          401,
          { error: 'unauthorized', detail: 'the admin listener needs its bearer token' },
          { 'www-authenticate': 'Bearer', connection: 'close' },
        );
      if (path === '/healthz' && req.method === 'GET') {
        const report = health();
        sendJson(res, report.httpStatus, report);
      } else if (path === '/metrics' && req.method === 'GET') {
        telemetry.metricsHandler(req, res);
      } else {
        sendJson(res, 404, { error: 'not_found', detail: 'routes: GET /healthz, GET /metrics' });
      }
    },
  );
  const adminGuard = guardListener(admin, {
    listener: 'admin',
    maxConnections: ADMIN_MAX_CONNECTIONS,
    // A scraper and a load balancer per address: one address cannot take every slot.
    maxConnectionsPerAddress: ADMIN_MAX_CONNECTIONS_PER_ADDRESS,
    onRefused: connectionRefused,
  });
  await listen(server, config.service.port, config.service.host);
  try {
    await listen(admin, config.admin.port, config.admin.host);
  } catch (error) {
    server.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const adminPort = (admin.address() as AddressInfo).port;
  const reloader =
    tlsConfig === undefined || tlsPair === undefined || httpsServer === undefined
      ? undefined
      : new TlsReloader(httpsServer, tlsConfig, tlsPair, (report) =>
          telemetry.log.event('tls.certificate_reloaded', {
            source: tlsConfig.certPath,
            outcome: report.outcome,
            ...(report.fingerprint === undefined ? {} : { fingerprint_sha256: report.fingerprint }),
            ...(report.error === undefined ? {} : { error: report.error }),
          }),
        );
  const reloadTokens = (): void => {
    for (const report of authenticator.reloadTokenFiles())
      telemetry.log.event('auth.token_reloaded', {
        source: report.file,
        outcome: report.outcome,
        tenant: report.tenant,
        ...(report.error === undefined ? {} : { error: report.error }),
      });
  };
  const tokenPoll = config.tenants.some((tenant) => 'file' in tenant.token)
    ? setInterval(reloadTokens, config.security.tokenReloadMs)
    : undefined;
  tokenPoll?.unref();
  telemetry.log.event('config.loaded', {
    source: config.source,
    outcome: 'loaded',
    sha256: config.sha256,
    tenants: config.tenants.length,
    tls: tlsPair !== undefined,
    admin_listen: `${config.admin.host}:${adminPort}`,
  });

  function health(): HealthReport {
    return assessHealth({
      draining,
      inFlight,
      maxInFlight: config.ingress.maxInFlight,
      queues: admission.waiting(),
      slos: telemetry.slo.status(),
    });
  }

  async function handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const source = req.socket.remoteAddress ?? 'unknown';
    const header = req.headers['x-tenant'];
    const known = typeof header === 'string' && tenants.has(header);
    // Never the raw header as an attribute: an attacker would pick the metric cardinality.
    const tenant = known ? header : UNKNOWN_TENANT;
    // The class the admission and latency SLOs are kept by ("unknown" before authentication).
    const tenantClass = (known ? classOf.get(header) : undefined) ?? 'unknown';
    // The client's traceparent/tracestate (through the app's propagator) make this span a child
    // of its span. The request's context is passed explicitly to every log line, metric and
    // child span, never made active: see the note on duration.record below.
    const span = tracer.startSpan(
      'POST /events',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'POST',
          'http.route': ROUTE,
          'url.path': ROUTE,
          'url.scheme': scheme,
          tenant,
        },
      },
      propagation.extract(ROOT_CONTEXT, req.headers),
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
      // The convention's error.type for a server-side failure: the status code, as a string.
      const errorType = status >= 500 ? String(status) : undefined;
      if (errorType !== undefined) span.setAttribute('error.type', errorType);
      if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      // Recorded with the request's context so the slow buckets get this trace as exemplar. The
      // context is passed, not made active: on Node 20 the first context.with turns on async hooks
      // for every promise of the process (AsyncLocalStorage), a cost the service never needs.
      duration.record(
        (performance.now() - started) / 1000,
        {
          'http.request.method': 'POST',
          'http.route': ROUTE,
          'http.response.status_code': status,
          'url.scheme': scheme,
          ...(errorType === undefined ? {} : { 'error.type': errorType }),
          tenant,
          class: tenantClass,
          outcome,
        },
        ctx,
      );
      span.end();
    };
    const reject = (
      status: number,
      reason: DecisionReason,
      detail: string | undefined,
      headers?: Record<string, string>,
      eventId?: string,
      answer: DecisionReason = reason,
    ): void => {
      stats.rejectedByReason[reason] = (stats.rejectedByReason[reason] ?? 0) + 1;
      decisions.add(1, { tenant, class: tenantClass, decision: 'rejected', reason });
      // An unauthenticated client never writes to the application log: its refusals are security
      // events only (folded per source, so a flood stays a few lines).
      if (reason !== 'unauthorized' && reason !== 'unknown_tenant')
        rejections.record(tenant, reason, status, detail, eventId, ctx);
      if (REFUSED_BODIES.has(reason)) {
        telemetry.log.event(
          'request.refused',
          {
            source,
            outcome: reason as RefusedBodyOutcome,
            tenant,
            status,
            ...(detail === undefined ? {} : { detail }),
          },
          ctx,
        );
      } else if (reason === 'queue_full') {
        telemetry.log.event(
          'rate_limit.tripped',
          {
            source,
            outcome: 'queue_full',
            tenant,
            queue_bound: budgetOf(reason),
          },
          ctx,
        );
      }
      span.setAttribute('blueprint.rejection_reason', reason);
      finish(
        status,
        status === 429 || status === 503 ? 'shed' : 'rejected',
        { error: answer, ...(detail === undefined ? {} : { detail }) },
        bodyRead ? headers : { ...headers, ...unreadBodyHeaders(req) },
      );
    };

    // Until the body is read, a refusal must not cost its body: see unreadBodyHeaders.
    let bodyRead = false;
    let refusedBudget = 0;
    const budgetOf = (reason: DecisionReason): number =>
      reason === 'queue_full' && refusedBudget > 0 ? refusedBudget : (queueBounds.get(tenant) ?? 0);
    if (draining)
      return reject(503, 'draining', 'the service is shutting down', {
        'retry-after': '1',
        connection: 'close',
      });
    const auth = authenticator.authenticate(header, req.headers.authorization);
    if (!auth.ok) {
      telemetry.log.event(
        'auth.failed',
        {
          source,
          outcome: auth.outcome,
          tenant: authenticator.describeClaim(header),
        },
        ctx,
      );
      // One answer for every authentication failure, so a caller cannot tell which tenants
      // exist; the metric and the security event keep the precise outcome for operators.
      return reject(
        401,
        auth.outcome === 'unknown_tenant' ? 'unknown_tenant' : 'unauthorized',
        'missing or wrong tenant credentials (x-tenant and a bearer token in authorization)',
        { 'www-authenticate': 'Bearer' },
        undefined,
        'unauthorized',
      );
    }
    if (inFlight >= config.ingress.maxInFlight)
      return reject(503, 'overloaded', `more than ${config.ingress.maxInFlight} requests in flight`, {
        'retry-after': '1',
      });
    const contentType = req.headers['content-type'] ?? '';
    // The media type exactly (parameters such as charset aside): application/json-seq or
    // application/jsonl are other formats, not JSON.
    if (contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json')
      return reject(415, 'unsupported_media_type', 'content-type must be application/json');
    const declared = Number(req.headers['content-length']);
    if (declared > config.ingress.maxBodyBytes) {
      return reject(413, 'body_too_large', `body over ${config.ingress.maxBodyBytes} bytes`, {
        connection: 'close',
      });
    }
    // Over its budget a request is refused here, from its head alone: its body is never read.
    const admitted = admission.admit(tenant);
    if (!admitted.admitted) {
      refusedBudget = admitted.budget;
      return reject(
        429,
        'queue_full',
        `over the ${admitted.scope} budget of ${admitted.budget} waiting requests (what the deadline allows at the measured capacity)`,
        { 'retry-after': String(admitted.retryAfterSeconds) },
      );
    }
    const ticket = admitted.ticket;
    const declaredBytes = Number.isFinite(declared) ? declared : undefined;
    // With no parse worker free, a large body is shed: before it is read when its size was declared.
    const parseWorkersTaken = () =>
      reject(503, 'parse_budget', 'every parse worker is taken; retry later', { 'retry-after': '1' });
    // A body declared large takes a place in the parse pool now, or is shed before it is read.
    let place: ParsePlace | undefined;
    if (parsePool !== undefined && declaredBytes !== undefined && declaredBytes >= OFF_LOOP_BYTES) {
      place = parsePool.reserve(tenantClass === 'best-effort');
      if (place === undefined) {
        ticket.release();
        return parseWorkersTaken();
      }
    }
    // Parsing costs CPU every tenant shares (the loop's, or the pool's): each tenant gets its share.
    const parseCharge = admission.chargeParse(tenant, declaredBytes);
    if (!parseCharge.ok) {
      ticket.release();
      place?.release();
      return reject(429, 'parse_budget', `over the tenant's share of parse time; retry later`, {
        'retry-after': String(parseCharge.retryAfterSeconds),
      });
    }

    // Until the body's parse settles it: a body never parsed (timed out, too large, its client
    // gone, shed) gives its charge back when the request ends, or work never done throttles it.
    let parseCharged = true;
    inFlight++;
    let clientGone = false;
    const requestDeadline = deadlineAfter(config.ingress.timeoutMs);
    const requestDeadlineAt = started + config.ingress.timeoutMs;
    const deadline = requestDeadline.signal;
    const gone = (): void => {
      if (res.writableFinished) return;
      clientGone = true;
      requestDeadline.abort(new Error('client closed the connection'));
    };
    // Node closes the response that owns the socket when the connection closes, but not one
    // queued behind it (a pipelined request): the connection itself is watched too.
    res.once('close', gone);
    const unwatch = onConnectionClose(req.socket, gone);
    try {
      // Only now, authenticated and admitted, is a client that waits for it told to send its body
      // (Node would say 100 Continue before the handler runs: to any client, token or not).
      if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
      const body = await readBody(req, config.ingress.maxBodyBytes, deadline);
      bodyRead = body instanceof Buffer;
      if (body === 'too_large')
        return reject(413, 'body_too_large', `body over ${config.ingress.maxBodyBytes} bytes`, {
          connection: 'close',
        });
      // A client that left while sending is gone, as at any other stage: not a refusal.
      if (body === 'gone' || clientGone) {
        return finish(499, 'rejected', { error: 'client_closed' });
      }
      if (body === 'aborted')
        return reject(408, 'body_timeout', `body not received within ${config.ingress.timeoutMs} ms`, {
          connection: 'close',
        });
      const bytes = body.length;
      // A body larger than it declared (sent chunked) looks for a place only now.
      if (place === undefined && parsePool !== undefined && bytes >= OFF_LOOP_BYTES) {
        place = parsePool.reserve(tenantClass === 'best-effort');
        if (place === undefined) return parseWorkersTaken();
      }
      let parsed: ValidationResult;
      if (place !== undefined) {
        // Off the loop. A body whose request ends while it waits for a thread (its deadline, its
        // client gone) leaves the wait at once, unparsed; the worker skips one whose deadline
        // passed just as it got a thread.
        const answer = await place.parse(
          body,
          config.ingress,
          Date.now() + (requestDeadlineAt - performance.now()),
          deadline,
        );
        if (answer.result === 'expired') {
          if (clientGone) return finish(499, 'rejected', { error: 'client_closed' });
          return reject(
            503,
            'shed_deadline',
            `could not be parsed within ${config.ingress.timeoutMs} ms at the current load`,
            {
              'retry-after': String(admission.retryAfterSeconds()),
            },
          );
        }
        admission.parsed(tenant, declaredBytes, bytes, answer.parseMs);
        parseCharged = false;
        parsed = answer.result;
      } else {
        const parseStarted = performance.now();
        parsed = parseBytes(body, config.ingress, (text, limits) => parseBody(text, limits, span));
        admission.parsed(tenant, declaredBytes, bytes, performance.now() - parseStarted);
        parseCharged = false;
      }
      if (!parsed.ok) return reject(400, parsed.reason, parsed.detail, undefined, parsed.eventId);

      const events = parsed.events;
      // An earlier request in flight when this one arrived has been answered with close since:
      // dropped like any request behind a close, before anything is stored. (Every answer with
      // close is decided before the next request's head is parsed today: a refusal from the head,
      // or while the body is read; this keeps the store to the events answered 202 if one ever
      // is decided later.)
      if (publicGuard.behindClose(req)) {
        span.setAttribute('blueprint.dropped', 'behind_close');
        span.end();
        return;
      }
      let settle!: (result: JobResult) => void;
      const done = new Promise<JobResult>((resolve) => (settle = resolve));
      const job: Job = {
        tenant,
        events,
        weight: events.length,
        signal: deadline,
        ctx,
        span,
        receivedAt: Date.now(),
        deadlineAt: requestDeadlineAt,
        ticket,
        settle,
      };
      // 'cancelled' (aborted during the parse) has settled the job as shed: answered below.
      const offered = scheduler.offer(tenant, job);
      if (offered === 'full' || offered === 'unknown_tenant') {
        return reject(429, 'queue_full', `tenant queue holds at most ${queueBounds.get(tenant)} events`, {
          'retry-after': '1',
        });
      }
      span.setAttribute('blueprint.events', events.length);

      const outcome = await done;
      if (outcome === 'shed' && clientGone) return finish(499, 'rejected', { error: 'client_closed' });
      if (outcome === 'shed')
        return reject(
          503,
          'shed_deadline',
          `could not be stored within ${config.ingress.timeoutMs} ms at the current load`,
          { 'retry-after': String(admission.retryAfterSeconds()) },
        );
      decisions.add(1, { tenant, class: tenantClass, decision: 'accepted', reason: 'accepted' });
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
      if (parseCharged) admission.refundParse(tenant, declaredBytes);
      unwatch();
      ticket.release();
      place?.release();
      requestDeadline.dispose();
      inFlight--;
      if (inFlight === 0) onIdle?.();
    }
  }

  /** One scheduler slot: enrichment, then hand-off to the batcher (the slot frees before the commit). */
  async function runJob(job: Job): Promise<void> {
    job.ticket.release();
    if (job.signal.aborted) return job.settle(abortError(job.signal));
    // A job that cannot finish by its deadline is not started while others wait: it would hold a
    // worker only to time out, and make the jobs behind it late too. With nothing waiting it runs:
    // an idle worker costs nothing, and its timing corrects an estimate that grew too large.
    if (!admission.canFinish(job.deadlineAt - performance.now()) && admission.anyWaiting())
      return job.settle('shed');
    const workStarted = performance.now();
    let enrichment;
    try {
      const keys = [...new Set(job.events.map((e) => e.user ?? job.tenant))];
      enrichment = await enricher.enrich(keys, job.signal, job.ctx);
    } catch {
      return job.settle(abortError(job.signal));
    }
    admission.service.record(performance.now() - workStarted);
    // Past this point the events are committed whatever the deadline says: once handed to the
    // batcher they are part of a transaction, so the answer must be 202.
    if (job.signal.aborted) return job.settle(abortError(job.signal));
    const degraded = enrichment.missing.length > 0;
    for (const dep of config.dependencies)
      lookups.add(1, {
        dependency: dep.name,
        outcome: enrichment.missing.includes(dep.name) ? 'missed' : 'answered',
      });
    if (degraded) {
      job.span.setAttribute('blueprint.degraded', true);
      job.span.setAttribute('blueprint.missing_deps', [...enrichment.missing]);
      telemetry.log.event(
        'enrichment.degraded',
        {
          tenant: job.tenant,
          missing_deps: enrichment.missing,
          elapsed_ms: Math.round(enrichment.elapsedMs * 10) / 10,
          events: job.events.length,
        },
        job.ctx,
      );
    }
    // Each row leads back to its request: the trace, and the request's span as its ID.
    const requestSpan = job.span.spanContext();
    const traced = isSpanContextValid(requestSpan);
    const traceId = traced ? requestSpan.traceId : null;
    const requestId = traced ? requestSpan.spanId : null;
    const rows: StoredEvent[] = job.events.map((event) => {
      const key = event.user ?? job.tenant;
      const values: Record<string, string | null> = {};
      for (const dep of config.dependencies) values[dep.name] = ownString(enrichment.values[dep.name], key);
      return {
        tenant: job.tenant,
        type: event.type,
        clientId: event.id ?? null,
        receivedAt: job.receivedAt,
        timestamp: event.timestamp ?? null,
        payload: event.payloadJson ?? (event.payload === undefined ? null : JSON.stringify(event.payload)),
        enrichment: JSON.stringify(values),
        degraded,
        traceId,
        requestId,
      };
    });
    const handedOver = performance.now();
    batcher.add(rows, job.span).then(
      () => {
        admission.commit.record(performance.now() - handedOver);
        job.settle({ degraded });
      },
      (error: Error) => job.settle(error),
    );
  }

  function drain(): Promise<void> {
    drained ??= (async () => {
      draining = true;
      reloader?.close();
      clearInterval(tokenPoll);
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
      await parsePool?.close();
      // Waits for delayed and retried commits too: the store closes only when all are settled.
      await batcher.drain();
      clearInterval(depthTimer);
      publishDepths();
      server.closeAllConnections();
      // The admin listener stays until here, so the last scrape sees the drain.
      admin.close();
      admin.closeAllConnections();
      enricher.close();
      store.close();
    })();
    return drained;
  }

  return {
    url: `${tlsPair === undefined ? 'http' : 'https'}://${urlHost(config.service.host)}:${port}`,
    port,
    adminUrl: `http://${urlHost(config.admin.host)}:${adminPort}`,
    adminPort,
    reloadTls: async () => reloader?.poll(),
    reloadTokens,
    stats,
    chaos,
    health,
    drain,
  };
}

const TIMEOUT_CHECK_MS = 500;
/** The admin listener's connection caps (metrics and readiness: a few clients). */
const ADMIN_MAX_CONNECTIONS = 64;
const ADMIN_MAX_CONNECTIONS_PER_ADDRESS = 16;

/**
 * Workers kept free of best-effort work for latency-sensitive arrivals: a quarter, at least one,
 * when there are latency-sensitive tenants and more than one worker.
 */
function urgentReserve(config: BlueprintConfig): number {
  const urgent = config.tenants.some((t) => t.class === 'latency-sensitive');
  const workers = config.enrichment.concurrency;
  return urgent && workers > 1 ? Math.max(1, Math.floor(workers / 4)) : 0;
}

/**
 * The admin listener's check: every request passes without [admin] token_env (the config allows
 * that only on loopback), else only `authorization: Bearer <token>`, compared as digests in
 * constant time. Throws ConfigError when the variable is unset or the token too short.
 */
function adminTokenCheck(
  config: BlueprintConfig,
  env: NodeJS.ProcessEnv,
): (authorization: string | undefined) => boolean {
  const name = config.admin.tokenEnv;
  if (name === undefined) return () => true;
  const token = env[name]?.trim() ?? '';
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new ConfigError(config.source, [
      `admin.token_env: environment variable ${name} must hold a token of at least ${MIN_TOKEN_LENGTH} characters without whitespace`,
    ]);
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return (authorization) =>
    timingSafeEqual(
      expected,
      createHash('sha256')
        .update(authorization ?? '')
        .digest(),
    );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('request deadline exceeded');
}

/**
 * Headers for an answer sent before the request body was read. Node keeps a keep-alive
 * connection by reading (and throwing away) the rest of the body, for as long as the client
 * sends it: 4 unauthenticated clients pushed 15 GiB in 15 s that way. `connection: close` makes
 * Node end the connection once the answer is flushed instead. A small declared body (or one
 * already received) is cheaper to drain than a new connection, so that keeps its keep-alive.
 */
function unreadBodyHeaders(req: IncomingMessage): Record<string, string> {
  if (req.complete) return {};
  const declared = req.headers['content-length'];
  if (
    declared !== undefined &&
    req.headers['transfer-encoding'] === undefined &&
    Number(declared) <= DRAIN_MAX_BYTES
  )
    return {};
  return { connection: 'close' };
}

/** Bodies up to this size are drained to keep the connection; larger or chunked ones close it. */
const DRAIN_MAX_BYTES = 16 * 1024;

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

/** Callbacks per socket for its 'close': one listener however many requests are pipelined on it. */
const closeWatchers = new WeakMap<Socket, Set<() => void>>();

/** Calls `onClose` when `socket` closes (at once if it has); returns what stops watching. */
function onConnectionClose(socket: Socket, onClose: () => void): () => void {
  if (socket.closed) {
    onClose();
    return () => {};
  }
  let watchers = closeWatchers.get(socket);
  if (watchers === undefined) {
    const callbacks = new Set<() => void>();
    watchers = callbacks;
    closeWatchers.set(socket, callbacks);
    socket.once('close', () => {
      closeWatchers.delete(socket);
      for (const callback of callbacks) callback();
    });
  }
  const own = watchers;
  own.add(onClose);
  return () => own.delete(onClose);
}

/**
 * A dependency's value for a user-chosen key, only if it is the answer's own string: `user:
 * "__proto__"` must not read Object.prototype (or "constructor" a function) into the store.
 */
function ownString(values: Readonly<Record<string, unknown>> | undefined, key: string): string | null {
  if (values === undefined || !Object.hasOwn(values, key)) return null;
  const value = values[key];
  return typeof value === 'string' ? value : null;
}

/**
 * The body's bytes, or why not: over the limit, the request's signal aborted first (its deadline,
 * or its client gone, which the handler tells apart), or the request failed: its connection
 * closed mid-body ('gone').
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  signal: AbortSignal,
): Promise<Buffer | 'too_large' | 'aborted' | 'gone'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Buffer | 'too_large' | 'aborted' | 'gone') => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      // Stop reading: the rest of an oversized or abandoned body is not wanted.
      if (!(value instanceof Buffer)) req.resume();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle('too_large');
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks, size));
    const onError = () => settle('gone');
    const onAbort = () => settle('aborted');
    if (signal.aborted) return settle('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
