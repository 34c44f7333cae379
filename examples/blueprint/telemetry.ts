// The blueprint's telemetry spec: the single source its runtime instrumentation, dashboards,
// alert rules and collector config are generated from. Change it here, regenerate, commit.
import { defineTelemetry } from './plumbline.js';

/** Outcomes of one request, the `outcome` attribute of http.server.request.duration. */
export const OUTCOMES = ['ok', 'degraded', 'rejected', 'shed', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Why ingress accepted or rejected a request, the `reason` attribute of blueprint.ingress.decisions. */
export const DECISION_REASONS = [
  'accepted',
  'unknown_tenant',
  'unauthorized',
  'invalid_json',
  'invalid_event',
  'body_too_large',
  'body_timeout',
  'unsupported_media_type',
  'queue_full',
  'parse_budget',
  'overloaded',
  'shed_deadline',
  'draining',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** Admission shedding: answered 429/503 with Retry-After, never an availability error. */
export const SHED_REASONS = ['queue_full', 'parse_budget', 'overloaded', 'shed_deadline'] as const;

/** Why a request failed authentication, the `outcome` of auth.failed. */
export const AUTH_OUTCOMES = ['unknown_tenant', 'missing_token', 'wrong_token'] as const;
/** Bodies refused for their shape or size, the `outcome` of request.refused. */
export const REFUSED_BODY_OUTCOMES = [
  'invalid_json',
  'invalid_event',
  'body_too_large',
  'body_timeout',
  'unsupported_media_type',
] as const;
export type RefusedBodyOutcome = (typeof REFUSED_BODY_OUTCOMES)[number];
/**
 * Why a listener refused or closed a connection, the `outcome` of connection.refused: over its
 * caps, a request head Node refused, an idle connection or one whose head (or TLS handshake) is
 * slow closed to admit a new one at the cap, or a client still sending past the drain bound after
 * its answer.
 */
export const CONNECTION_REFUSALS = [
  'max_connections',
  'per_address',
  'header_too_large',
  'malformed_request',
  'request_timeout',
  'idle_evicted',
  'slow_head_evicted',
  'drain_cut',
] as const;
export type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];

// Security events (security: true) go to their own stream, never the application log; repeats of
// one event from one source fold into summary lines, and each is counted on
// plumbline_security_events_total{event,outcome}. `source` is who: the client address for request
// events, the file for config and certificates.
const source = {
  type: 'string',
  maxLength: 256,
  description: 'Who: the client address, or the file.',
} as const;

export const spec = defineTelemetry({
  specVersion: 1,
  schemaVersion: '1',
  service: { name: 'blueprint', version: '0.1.0' },
  events: {
    'event.rejected': {
      level: 'warn',
      inSpan: true,
      // Under a 5x overload every shed request would write a line: 10 lines/s per reason, the
      // rest counted (plumbline_log_suppressed_total) and carried by the next line as `suppressed`.
      budget: { linesPerSecond: 10, key: 'reason' },
      description: 'Ingress refused a request: invalid event, oversized body, full queue, overload or drain.',
      fields: {
        tenant: { type: 'string', maxLength: 64 },
        reason: { type: 'string', enum: DECISION_REASONS },
        status: { type: 'integer' },
        detail: { type: 'string', required: false, untrusted: true, maxLength: 256 },
        event_id: {
          type: 'string',
          required: false,
          untrusted: true,
          maxLength: 128,
          description: 'The client-supplied id of the event that failed validation.',
        },
      },
    },
    'enrichment.degraded': {
      level: 'warn',
      inSpan: true,
      description: 'A request went on with partial enrichment: a dependency failed or the budget ran out.',
      fields: {
        tenant: { type: 'string', maxLength: 64 },
        missing_deps: { type: 'string[]' },
        elapsed_ms: { type: 'number' },
        events: { type: 'integer' },
      },
    },
    'auth.failed': {
      level: 'warn',
      inSpan: true,
      security: true,
      description:
        'A request without a valid tenant token, or naming no known tenant (both answered 401, alike).',
      fields: {
        source,
        outcome: { type: 'string', enum: AUTH_OUTCOMES },
        tenant: {
          type: 'string',
          untrusted: true,
          maxLength: 64,
          description: 'The tenant the request claimed (x-tenant), as sent.',
        },
      },
    },
    'request.refused': {
      level: 'warn',
      inSpan: true,
      security: true,
      description: 'A body refused as malformed (400), oversized (413), too slow (408) or not JSON (415).',
      fields: {
        source,
        outcome: { type: 'string', enum: REFUSED_BODY_OUTCOMES },
        tenant: { type: 'string', maxLength: 64 },
        status: { type: 'integer' },
        detail: { type: 'string', required: false, untrusted: true, maxLength: 256 },
      },
    },
    'rate_limit.tripped': {
      level: 'warn',
      inSpan: true,
      security: true,
      description: "A tenant's queue bound refused a request (429).",
      fields: {
        source,
        outcome: { type: 'string', enum: ['queue_full'] },
        tenant: { type: 'string', maxLength: 64 },
        queue_bound: { type: 'integer' },
      },
    },
    'config.loaded': {
      level: 'info',
      security: true,
      description:
        'The service started with a config: its SHA-256 (the file holds no secret), never its tokens.',
      fields: {
        source,
        outcome: { type: 'string', enum: ['loaded'] },
        sha256: { type: 'string', maxLength: 64 },
        tenants: { type: 'integer' },
        tls: { type: 'boolean' },
        admin_listen: { type: 'string', maxLength: 270 },
      },
    },
    'connection.refused': {
      level: 'warn',
      security: true,
      description:
        "A connection refused before any request reached the service: over a listener's connection caps, or a request head Node refused (too large 431, malformed 400, too slow 408); or closed by the listener: idle (no request in flight) to admit a new connection at max_connections (idle_evicted), or still sending after a Connection: close answer past the drain bound (drain_cut).",
      fields: {
        source,
        outcome: { type: 'string', enum: CONNECTION_REFUSALS },
        listener: { type: 'string', enum: ['public', 'admin'] },
        status: { type: 'integer', required: false, description: 'The status answered, when one was.' },
        error: { type: 'string', required: false, untrusted: true, maxLength: 64 },
      },
    },
    'tls.handshake_failed': {
      level: 'warn',
      security: true,
      description: 'A client that did not complete the TLS handshake (wrong CA, plain HTTP, bad protocol).',
      fields: {
        source,
        outcome: { type: 'string', enum: ['refused'] },
        error: { type: 'string', untrusted: true, maxLength: 200 },
      },
    },
    'auth.token_reloaded': {
      level: 'info',
      security: true,
      description:
        "A tenant's token file changed: the new token is in force and the old one refused from now on (or the file was refused: the current token stays).",
      fields: {
        source,
        outcome: { type: 'string', enum: ['reloaded', 'failed'] },
        tenant: { type: 'string', maxLength: 64 },
        error: { type: 'string', required: false, maxLength: 300 },
      },
    },
    'tls.certificate_reloaded': {
      level: 'info',
      security: true,
      description: 'A rotated key and certificate were installed (or refused: the old pair stays).',
      fields: {
        source,
        outcome: { type: 'string', enum: ['reloaded', 'failed'] },
        fingerprint_sha256: { type: 'string', required: false, maxLength: 128 },
        error: { type: 'string', required: false, maxLength: 200 },
      },
    },
    'batch.stored': {
      level: 'info',
      inSpan: true,
      description: 'One batch committed to the store in one transaction.',
      fields: {
        batch_size: { type: 'integer' },
        flush_ms: { type: 'number' },
        first_id: { type: 'integer' },
        last_id: { type: 'integer' },
        requests: { type: 'integer' },
      },
    },
  },
  counters: {
    'blueprint.ingress.decisions': {
      description:
        "Admission decisions at ingress, one per request, with the tenant's class (unknown before authentication).",
      unit: '{request}',
      attributes: ['tenant', 'class', 'decision', 'reason'],
    },
    'blueprint.enrichment.lookups': {
      description:
        'Dependency lookups by outcome: answered within the enrichment budget, or missed (late or failed: the events go on degraded).',
      unit: '{lookup}',
      attributes: ['dependency', 'outcome'],
    },
    'blueprint.chaos.injected': {
      description:
        'Faults injected on purpose by the [chaos] switches (off by default), by kind (kill_task, corrupt_request, tail_latency) and target (dependency, storage, request); the spans they hit carry chaos.injected=<kind>.',
      unit: '{fault}',
      attributes: ['kind', 'target'],
    },
  },
  gauges: {
    'blueprint.queue.depth': {
      description: 'Events waiting in a tenant ingress queue.',
      unit: '{event}',
      attributes: ['tenant'],
    },
  },
  histograms: {
    // OTel's HTTP server metric (semantic conventions): its attributes, plus the blueprint's tenant
    // and outcome (which of 202 ok/degraded or 503 shed/error, the status code cannot tell).
    'http.server.request.duration': {
      description: 'Time from request received to response sent (end to end, storage included).',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
        'tenant',
        'class',
        'outcome',
      ],
      buckets: { fromSlos: { min: 0.005, max: 5 } },
      exemplars: { enabled: true, minValue: 0.1 },
    },
    'blueprint.batch.size': {
      description: 'Events per committed batch.',
      unit: '{event}',
      buckets: { boundaries: [1, 5, 10, 25, 50, 75, 100] },
      exemplars: { enabled: false },
    },
    'blueprint.batch.flush.duration': {
      description: 'Time to commit one batch (one transaction).',
      unit: 's',
      buckets: { boundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
      exemplars: { enabled: false },
    },
  },
  slos: {
    availability: {
      description:
        'Requests that do not fail on the server side (client rejections and shedding are not failures).',
      sli: {
        kind: 'availability',
        metric: 'http.server.request.duration',
        bad: { outcome: ['error'] },
        where: { 'http.route': ['/events'] },
      },
      objective: 99.9,
    },
    latency: {
      description: 'Stored requests answered within 250 ms.',
      sli: {
        kind: 'latency',
        histogram: 'http.server.request.duration',
        threshold: 0.25,
        where: { 'http.route': ['/events'], outcome: ['ok', 'degraded'] },
      },
      objective: 99,
    },
    // Per component, each with its own burn-rate alerts: ingress (admission and latency per
    // class), enrichment, storage, the telemetry pipeline.
    'ingress-admission-latency-sensitive': {
      description:
        'Latency-sensitive requests admitted: not shed by admission (queue_full, parse_budget, overloaded, shed_deadline). Shedding is not an availability error, but it is watched per class.',
      sli: {
        kind: 'availability',
        metric: 'blueprint.ingress.decisions',
        bad: { reason: SHED_REASONS },
        where: { class: ['latency-sensitive'] },
      },
      objective: 99,
    },
    'ingress-admission-best-effort': {
      description: 'Best-effort requests admitted; best-effort is shed first, so its objective is lower.',
      sli: {
        kind: 'availability',
        metric: 'blueprint.ingress.decisions',
        bad: { reason: SHED_REASONS },
        where: { class: ['best-effort'] },
      },
      objective: 90,
      // Shedding best-effort work first is the design: a ticket when it lasts, never a page.
      alerting: { 'page-fast': false, 'page-slow': false },
    },
    'ingress-latency-latency-sensitive': {
      description: 'Stored latency-sensitive requests answered within 250 ms.',
      sli: {
        kind: 'latency',
        histogram: 'http.server.request.duration',
        threshold: 0.25,
        where: { 'http.route': ['/events'], class: ['latency-sensitive'], outcome: ['ok', 'degraded'] },
      },
      objective: 99,
    },
    'ingress-latency-best-effort': {
      description: 'Stored best-effort requests answered within 250 ms.',
      sli: {
        kind: 'latency',
        histogram: 'http.server.request.duration',
        threshold: 0.25,
        where: { 'http.route': ['/events'], class: ['best-effort'], outcome: ['ok', 'degraded'] },
      },
      objective: 95,
    },
    enrichment: {
      description: 'Dependency lookups answered within the 80 ms enrichment budget.',
      sli: {
        kind: 'availability',
        metric: 'blueprint.enrichment.lookups',
        bad: { outcome: ['missed'] },
      },
      objective: 99,
    },
    storage: {
      description: 'Batches committed within the 250 ms request deadline (one transaction each).',
      sli: { kind: 'latency', histogram: 'blueprint.batch.flush.duration', threshold: 0.25 },
      objective: 99.9,
    },
    // The telemetry pipeline: what the SDK hands to the collector arrives (plumbline's own
    // exported and dropped counters; a down collector burns it, the service keeps serving).
    'telemetry-export': {
      description:
        'Spans, log records and metric batches exported over OTLP without error (not dropped by a full queue, a failed export or a busy exporter).',
      sli: { kind: 'pipeline' },
      objective: 99,
    },
  },
  // Every server span follows the HTTP convention and names its tenant (the budget's key).
  spans: { server: { convention: 'http', attributes: ['tenant'] } },
  sampling: {
    decisionWaitMs: 100,
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'slow', kind: 'latency', thresholdMs: 250 },
      { name: 'exemplar', kind: 'exemplar' },
      { name: 'budget', kind: 'budget', tracesPerSecond: 10, key: 'tenant' },
    ],
  },
});

export type BlueprintSpec = typeof spec;
