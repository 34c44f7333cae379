// Options of the invariants doc: the blueprint's config values the doc quotes (queue bounds,
// budgets, batch sizes), which spec instruments carry the service's own promises, the feature
// flags, and the options of the generators whose alerts and panels the doc names.
import { DRY_RUN_ATTRIBUTE } from '../../spec/naming.js';
import type { AttributeMatch } from '../../spec/types.js';
import type { DashboardOptions } from '../dashboards/options.js';
import type { PipelineAlertOptions } from '../rules/pipeline-alerts.js';
import type { PrometheusRulesOptions } from '../rules/prometheus-rules.js';
import { DEFAULT_RUNBOOK_BASE, checkRunbookBase } from '../rules/text.js';

/** The generated document's file name, and its path in the repository (every runbook_url ends in it). */
export const INVARIANTS_DOC_FILE = 'invariants.md';
export const INVARIANTS_DOC_PATH = `docs/${INVARIANTS_DOC_FILE}`;

/** The blueprint config values the doc quotes; defaults are examples/blueprint/blueprint.toml's. */
export interface ServiceLimits {
  /** `[tenants.<name>] queue_bound`: events a tenant may have waiting before 429. */
  readonly tenants: readonly { readonly name: string; readonly queueBound: number }[];
  /** `ingress.timeout_ms`: a request's deadline from arrival. */
  readonly timeoutMs: number;
  /** `ingress.max_in_flight`: requests inside the service at once before 503. */
  readonly maxInFlight: number;
  /** `enrichment.budget_ms`: time enrichment may take before the request goes on degraded. */
  readonly enrichmentBudgetMs: number;
  /** `storage.min_batch`, `storage.max_batch`, `storage.max_wait_ms`. */
  readonly minBatch: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

/** Which instruments show that accepted events are stored. */
export interface DeliveryInstruments {
  /** Counter of admission decisions, and the attribute values that mean "accepted". */
  readonly decisionsCounter: string;
  readonly accepted: AttributeMatch;
  /** Histogram whose sum counts stored events (one observation per committed batch). */
  readonly batchSizeHistogram: string;
  /** The availability SLO that counts accepted-but-not-stored requests as bad. */
  readonly slo: string;
}

/** Which instruments show queue depth against its bound. */
export interface QueueInstruments {
  readonly depthGauge: string;
  /** Attribute of the gauge naming the tenant (its bound comes from {@link ServiceLimits.tenants}). */
  readonly tenantAttribute: string;
  /** Decisions counter values that mean "refused because the queue was full". */
  readonly decisionsCounter: string;
  readonly queueFull: AttributeMatch;
}

/** A setting that changes behaviour without new artifacts: an environment variable or config key read at start. */
export interface FeatureFlag {
  readonly name: string;
  /** How to set it, e.g. "environment `OTEL_METRICS_EXEMPLAR_FILTER`". */
  readonly setting: string;
  /** Values and what each does. */
  readonly values: readonly { readonly value: string; readonly effect: string }[];
  readonly defaultValue: string;
  /** What switching it off costs, so the on-call knows the trade. */
  readonly whenOff: string;
}

export interface InvariantsDocOptions {
  /** Prefix of every runbook_url, the same one given to the rule generators ('' = relative, the default). */
  readonly runbookBaseUrl?: string;
  /** Paths the deploy commands use, relative to the repository root. */
  readonly specPath?: string;
  readonly configPath?: string;
  /** The command that starts one service instance. Default: the blueprint's main.ts with configPath. */
  readonly startCommand?: string;
  readonly limits?: Partial<ServiceLimits>;
  /** false leaves the "every accepted event is stored" invariant out (a spec without these instruments). */
  readonly delivery?: DeliveryInstruments | false;
  /** false leaves the "queue depth never exceeds its bound" invariant out. */
  readonly queue?: QueueInstruments | false;
  readonly featureFlags?: readonly FeatureFlag[];
  /** Options of the generators whose output the doc names; runbookBaseUrl above wins over theirs. */
  readonly prometheusRules?: PrometheusRulesOptions;
  readonly pipelineAlerts?: PipelineAlertOptions;
  readonly dashboards?: DashboardOptions;
}

export interface ResolvedInvariantsDocOptions {
  readonly runbookBaseUrl: string;
  readonly specPath: string;
  readonly configPath: string;
  readonly startCommand: string;
  readonly limits: ServiceLimits;
  readonly delivery: DeliveryInstruments | false;
  readonly queue: QueueInstruments | false;
  readonly featureFlags: readonly FeatureFlag[];
  readonly prometheusRules: PrometheusRulesOptions;
  readonly pipelineAlerts: PipelineAlertOptions;
  readonly dashboards: DashboardOptions;
  /** Service invariants whose instruments were not given, so the blueprint's names stand in. */
  readonly defaulted: ReadonlySet<'delivery' | 'queue'>;
}

/** The same default base as the SLO and pipeline rule generators: links relative to docs/. */
export const DEFAULT_RUNBOOK_BASE_URL = DEFAULT_RUNBOOK_BASE;

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

/**
 * The blueprint's switches. The exemplar filter is the OTel SDK's variable; the sampler and chaos
 * switches are the blueprint's own (issue 13 names the chaos keys; the variable names are ours).
 */
export const BLUEPRINT_FEATURE_FLAGS: readonly FeatureFlag[] = [
  {
    name: 'In-process tail sampler',
    setting: 'environment `PLUMBLINE_TAIL_SAMPLING`',
    values: [
      { value: 'on', effect: "the SDK keeps traces by the spec's sampling policies and budgets" },
      {
        value: 'dry-run',
        effect: `every trace is kept; each span carries the decision it would have got (\`${DRY_RUN_ATTRIBUTE}\`)`,
      },
      {
        value: 'off',
        effect: 'every span goes to the collector, whose gateway tail-samples with the same policies',
      },
    ],
    defaultValue: 'on',
    whenOff: 'more spans travel to the collector; the gateway budget still bounds what is stored',
  },
  {
    name: 'Exemplars',
    setting: 'environment `OTEL_METRICS_EXEMPLAR_FILTER`',
    values: [
      { value: 'trace_based', effect: 'measurements inside a sampled span may become exemplars' },
      { value: 'always_on', effect: 'every measurement may become an exemplar' },
      { value: 'always_off', effect: 'no exemplars; the record path does no exemplar work' },
    ],
    defaultValue: 'trace_based',
    whenOff: 'the latency heatmap loses its trace links; the exemplar sampling policy keeps nothing',
  },
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

export function resolveInvariantsDocOptions(
  options: InvariantsDocOptions = {},
): ResolvedInvariantsDocOptions {
  const runbookBaseUrl = checkRunbookBase(
    'invariants doc option runbookBaseUrl',
    options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
  );
  const limits: ServiceLimits = { ...BLUEPRINT_LIMITS, ...options.limits };
  for (const field of [
    'timeoutMs',
    'maxInFlight',
    'enrichmentBudgetMs',
    'minBatch',
    'maxBatch',
    'maxWaitMs',
  ] as const) {
    const value = limits[field];
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `invariants doc option limits.${field}: expected an integer >= 0, got ${String(value)}`,
      );
    }
  }
  if (limits.minBatch > limits.maxBatch) {
    throw new Error(
      `invariants doc option limits.minBatch: must not exceed limits.maxBatch (${limits.maxBatch}), got ${limits.minBatch}`,
    );
  }
  limits.tenants.forEach((tenant, index) => {
    if (tenant.name === '' || !Number.isInteger(tenant.queueBound) || tenant.queueBound < 1) {
      throw new Error(
        `invariants doc option limits.tenants[${index}]: expected a name and an integer queueBound >= 1, got ${JSON.stringify(tenant)}`,
      );
    }
  });
  for (const field of ['specPath', 'configPath', 'startCommand'] as const) {
    if (options[field] !== undefined && options[field].trim() === '') {
      throw new Error(`invariants doc option ${field}: expected a non-empty path`);
    }
  }
  const configPath = options.configPath ?? 'examples/blueprint/blueprint.toml';
  return {
    runbookBaseUrl,
    specPath: options.specPath ?? 'examples/blueprint/telemetry.ts',
    configPath,
    startCommand:
      options.startCommand ??
      // Tenant tokens come from the environment (the config refuses literal tokens), from the
      // secret store the deployment mounts.
      'BLUEPRINT_TOKEN_CHECKOUT=… BLUEPRINT_TOKEN_SEARCH=… BLUEPRINT_TOKEN_ANALYTICS=… ' +
        `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 node --import tsx examples/blueprint/main.ts ${configPath}`,
    limits,
    delivery: options.delivery ?? BLUEPRINT_DELIVERY,
    queue: options.queue ?? BLUEPRINT_QUEUE,
    featureFlags: options.featureFlags ?? BLUEPRINT_FEATURE_FLAGS,
    prometheusRules: { ...options.prometheusRules, runbookBaseUrl },
    pipelineAlerts: { ...options.pipelineAlerts, runbookBaseUrl },
    dashboards: options.dashboards ?? {},
    defaulted: new Set([
      ...(options.delivery === undefined ? (['delivery'] as const) : []),
      ...(options.queue === undefined ? (['queue'] as const) : []),
    ]),
  };
}
