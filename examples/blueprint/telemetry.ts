// The blueprint's telemetry spec: the single source its runtime instrumentation, dashboards,
// alert rules and collector config are generated from. Change it here, regenerate, commit.
import { defineTelemetry } from './plumbline.js';

/** Outcomes of one request, the `outcome` attribute of blueprint.request.duration. */
export const OUTCOMES = ['ok', 'degraded', 'rejected', 'shed', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Why ingress accepted or rejected a request, the `reason` attribute of blueprint.ingress.decisions. */
export const DECISION_REASONS = [
  'accepted',
  'unknown_tenant',
  'invalid_json',
  'invalid_event',
  'body_too_large',
  'body_timeout',
  'unsupported_media_type',
  'queue_full',
  'overloaded',
  'draining',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export const spec = defineTelemetry({
  specVersion: 1,
  schemaVersion: '1',
  service: { name: 'blueprint', version: '0.1.0' },
  events: {
    'event.rejected': {
      level: 'warn',
      description: 'Ingress refused a request: invalid event, oversized body, full queue, overload or drain.',
      fields: {
        tenant: { type: 'string', maxLength: 64 },
        reason: { type: 'string', enum: DECISION_REASONS },
        status: { type: 'integer' },
        detail: { type: 'string', required: false, untrusted: true, maxLength: 256 },
        suppressed: {
          type: 'integer',
          required: false,
          description: 'Rejections with the same reason not logged since the previous line (rate limit).',
        },
      },
    },
    'enrichment.degraded': {
      level: 'warn',
      description: 'A request went on with partial enrichment: a dependency failed or the budget ran out.',
      fields: {
        tenant: { type: 'string', maxLength: 64 },
        missing_deps: { type: 'string[]' },
        elapsed_ms: { type: 'number' },
        events: { type: 'integer' },
      },
    },
    'batch.stored': {
      level: 'info',
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
      description: 'Admission decisions at ingress, one per request.',
      unit: '{request}',
      attributes: ['tenant', 'decision', 'reason'],
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
    'blueprint.request.duration': {
      description: 'Time from request received to response sent (end to end, storage included).',
      unit: 's',
      attributes: ['route', 'tenant', 'outcome'],
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
        metric: 'blueprint.request.duration',
        bad: { outcome: ['error'] },
        where: { route: ['/events'] },
      },
      objective: 99.9,
    },
    latency: {
      description: 'Stored requests answered within 250 ms.',
      sli: {
        kind: 'latency',
        histogram: 'blueprint.request.duration',
        threshold: 0.25,
        where: { route: ['/events'], outcome: ['ok', 'degraded'] },
      },
      objective: 99,
    },
  },
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
