// The blueprint's options for `plumbline generate docs` (docs/invariants.md): its config values
// the doc quotes, the instruments behind its delivery and queue promises, how an instance is
// started and replaced, and its switches. The CLI reads this module's default export:
//   plumbline generate docs --spec examples/blueprint/telemetry.ts --doc-options examples/blueprint/invariants-doc.ts
import {
  PLUMBLINE_FEATURE_FLAGS,
  type DeliveryInstruments,
  type FeatureFlag,
  type InvariantsDocOptions,
  type QueueInstruments,
  type ServiceLimits,
} from '../../src/generate/index.js';

/** examples/blueprint/blueprint.toml's values (a test reads the TOML and compares). */
export const BLUEPRINT_LIMITS: ServiceLimits = {
  tenants: [
    { name: 'checkout', queueBound: 400 },
    { name: 'search', queueBound: 400 },
    { name: 'analytics', queueBound: 800 },
  ],
  timeoutMs: 250,
  maxInFlight: 2048,
  enrichmentBudgetMs: 80,
  minBatch: 25,
  maxBatch: 100,
  maxWaitMs: 50,
};

export const BLUEPRINT_DELIVERY: DeliveryInstruments = {
  decisionsCounter: 'blueprint.ingress.decisions',
  accepted: { decision: ['accepted'] },
  batchSizeHistogram: 'blueprint.batch.size',
  slo: 'availability',
};

export const BLUEPRINT_QUEUE: QueueInstruments = {
  depthGauge: 'blueprint.queue.depth',
  tenantAttribute: 'tenant',
  decisionsCounter: 'blueprint.ingress.decisions',
  queueFull: { reason: ['queue_full'] },
};

/** plumbline's switches plus the blueprint's chaos profiles (issue 13 names the chaos keys). */
export const BLUEPRINT_FEATURE_FLAGS: readonly FeatureFlag[] = [
  ...PLUMBLINE_FEATURE_FLAGS,
  {
    name: 'Chaos profiles',
    setting: 'the `[chaos]` section of the config, or environment `BLUEPRINT_CHAOS=<profile>` for one run',
    values: [
      {
        value: 'kill_task_ratio',
        effect: 'share of background tasks (dependency calls, batch flushes) aborted mid-flight',
      },
      { value: 'corrupt_request_ratio', effect: 'share of request bodies corrupted before parsing' },
      { value: 'tail_latency', effect: 'latency added to a share of dependency or storage calls' },
    ],
    defaultValue: 'off (no `[chaos]` section)',
    whenOff: 'nothing: chaos is for drills and must be off in production',
  },
];

const CONFIG_PATH = 'examples/blueprint/blueprint.toml';

export const invariantsDoc: InvariantsDocOptions = {
  specPath: 'examples/blueprint/telemetry.ts',
  docOptionsPath: 'examples/blueprint/invariants-doc.ts',
  configPath: CONFIG_PATH,
  // Tenant tokens come from the environment (the config refuses literal tokens), from the secret
  // store the deployment mounts.
  startCommand:
    'BLUEPRINT_TOKEN_CHECKOUT=… BLUEPRINT_TOKEN_SEARCH=… BLUEPRINT_TOKEN_ANALYTICS=… ' +
    `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 node --import tsx examples/blueprint/main.ts ${CONFIG_PATH}`,
  replaceInstance:
    'SIGTERM the old one (it drains: refuses new requests with 503, stores every accepted event, exits 0), ' +
    'start the new one, and wait for `GET /healthz` on its admin listener (loopback, `[admin] listen`, ' +
    'default 127.0.0.1:9464) to answer 200 before the next',
  rollbackNote: 'The store is not rolled back: events stored by the new version stay.',
  healthCheck: 'its /healthz',
  limits: BLUEPRINT_LIMITS,
  delivery: BLUEPRINT_DELIVERY,
  queue: BLUEPRINT_QUEUE,
  featureFlags: BLUEPRINT_FEATURE_FLAGS,
};

export default invariantsDoc;
