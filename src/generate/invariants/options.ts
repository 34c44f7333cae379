// Options of the invariants doc: the service's config values the doc quotes (queue bounds,
// budgets, batch sizes), which spec instruments carry the service's own promises, how an instance
// is started and replaced, the feature flags, and the options of the generators whose alerts and
// panels the doc names. Without options the doc says only what the spec and plumbline know: no
// config path, start command or bounds of some other service (the blueprint's are in
// examples/blueprint/invariants-doc.ts).
import { DRY_RUN_ATTRIBUTE } from '../../spec/naming.js';
import type { AttributeMatch } from '../../spec/types.js';
import type { CollectorOptions } from '../collector/options.js';
import type { DashboardOptions } from '../dashboards/options.js';
import type { PipelineAlertOptions } from '../rules/pipeline-alerts.js';
import type { PrometheusRulesOptions } from '../rules/prometheus-rules.js';
import { DEFAULT_RUNBOOK_BASE, checkRunbookBase } from '../rules/text.js';

/** The generated document's file name, and its path in the repository (every runbook_url ends in it). */
export const INVARIANTS_DOC_FILE = 'invariants.md';
export const INVARIANTS_DOC_PATH = `docs/${INVARIANTS_DOC_FILE}`;

/** The config values the doc quotes (the blueprint's names them after its blueprint.toml keys). */
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

/** What the deploy commands say for the spec when no specPath is given: a placeholder, unquoted. */
export const SPEC_PATH_PLACEHOLDER = '<spec file>';

export interface InvariantsDocOptions {
  /** Prefix of every runbook_url, the same one given to the rule generators ('' = relative, the default). */
  readonly runbookBaseUrl?: string;
  /** The spec file, relative to the repository root, for the deploy commands (the CLI passes --spec). */
  readonly specPath?: string;
  /** The module these options came from, for the doc's own check command (the CLI passes --doc-options). */
  readonly docOptionsPath?: string;
  /** The service's config file, named in the deploy section; left out when not given. */
  readonly configPath?: string;
  /** The command that starts one service instance, shown in deploy step 5; left out when not given. */
  readonly startCommand?: string;
  /**
   * Deploy step 5 after "one instance at a time:": how the old instance stops and how the new
   * one shows it is ready. Default: stop the old one, start the new one, wait until it is ready.
   */
  readonly replaceInstance?: string;
  /** A sentence after the roll back steps, e.g. what a roll back does not undo. */
  readonly rollbackNote?: string;
  /** How the on-call asks an instance whether it is up, after "Ask", e.g. "its /healthz". */
  readonly healthCheck?: string;
  /**
   * The service's config values the doc quotes (queue bounds, deadline, batches); required with
   * `delivery` or `queue`. Without them an SLO's first steps quote none.
   */
  readonly limits?: ServiceLimits;
  /** The "every accepted event is stored" invariant's instruments; left out when not given. */
  readonly delivery?: DeliveryInstruments | false;
  /** The "queue depth never exceeds its bound" invariant's instruments; left out when not given. */
  readonly queue?: QueueInstruments | false;
  /** Default: plumbline's own switches (the tail sampler and the exemplar filter). */
  readonly featureFlags?: readonly FeatureFlag[];
  /** Options of the generators whose output the doc names; runbookBaseUrl above wins over theirs. */
  readonly prometheusRules?: PrometheusRulesOptions;
  readonly pipelineAlerts?: PipelineAlertOptions;
  readonly dashboards?: DashboardOptions;
  /** The collector generator's options: the deploy section's files and its check command follow them. */
  readonly collector?: CollectorOptions;
}

export interface ResolvedInvariantsDocOptions {
  readonly runbookBaseUrl: string;
  readonly specPath: string;
  readonly docOptionsPath: string | undefined;
  readonly configPath: string | undefined;
  readonly startCommand: string | undefined;
  readonly replaceInstance: string;
  readonly rollbackNote: string | undefined;
  readonly healthCheck: string | undefined;
  readonly limits: ServiceLimits | undefined;
  readonly delivery: DeliveryInstruments | false;
  readonly queue: QueueInstruments | false;
  readonly featureFlags: readonly FeatureFlag[];
  readonly prometheusRules: PrometheusRulesOptions;
  readonly pipelineAlerts: PipelineAlertOptions;
  readonly dashboards: DashboardOptions;
  readonly collector: CollectorOptions;
}

/** The same default base as the SLO and pipeline rule generators: links relative to docs/. */
export const DEFAULT_RUNBOOK_BASE_URL = DEFAULT_RUNBOOK_BASE;

/** plumbline's own switches, read by createTelemetry at start: the default feature flags of any service. */
export const PLUMBLINE_FEATURE_FLAGS: readonly FeatureFlag[] = [
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
];

/** Deploy step 5 when the options do not say how the service's instances are replaced. */
export const DEFAULT_REPLACE_INSTANCE =
  'stop the old one, start the new one, and wait until it is ready before the next';

export function resolveInvariantsDocOptions(
  options: InvariantsDocOptions = {},
): ResolvedInvariantsDocOptions {
  const runbookBaseUrl = checkRunbookBase(
    'invariants doc option runbookBaseUrl',
    options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
  );
  const delivery = options.delivery ?? false;
  const queue = options.queue ?? false;
  const limits = options.limits === undefined ? undefined : checkLimits(options.limits);
  if (limits === undefined && (delivery !== false || queue !== false)) {
    throw new Error(
      `invariants doc option limits: required with ${delivery !== false ? 'delivery' : 'queue'} (the invariant quotes the service's bounds)`,
    );
  }
  for (const field of [
    'specPath',
    'docOptionsPath',
    'configPath',
    'startCommand',
    'replaceInstance',
    'rollbackNote',
    'healthCheck',
  ] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new Error(
        `invariants doc option ${field}: expected a non-empty string, got ${JSON.stringify(value)}`,
      );
    }
  }
  return {
    runbookBaseUrl,
    specPath: options.specPath ?? SPEC_PATH_PLACEHOLDER,
    docOptionsPath: options.docOptionsPath,
    configPath: options.configPath,
    startCommand: options.startCommand,
    replaceInstance: options.replaceInstance ?? DEFAULT_REPLACE_INSTANCE,
    rollbackNote: options.rollbackNote,
    healthCheck: options.healthCheck,
    limits,
    delivery,
    queue,
    featureFlags: options.featureFlags ?? PLUMBLINE_FEATURE_FLAGS,
    prometheusRules: { ...options.prometheusRules, runbookBaseUrl },
    pipelineAlerts: { ...options.pipelineAlerts, runbookBaseUrl },
    dashboards: options.dashboards ?? {},
    collector: options.collector ?? {},
  };
}

function checkLimits(limits: ServiceLimits): ServiceLimits {
  if (typeof limits !== 'object' || limits === null) {
    throw new Error(`invariants doc option limits: expected an object, got ${JSON.stringify(limits)}`);
  }
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
  if (!Array.isArray(limits.tenants)) {
    throw new Error(
      `invariants doc option limits.tenants: expected a list, got ${JSON.stringify(limits.tenants)}`,
    );
  }
  limits.tenants.forEach((tenant, index) => {
    if (tenant.name === '' || !Number.isInteger(tenant.queueBound) || tenant.queueBound < 1) {
      throw new Error(
        `invariants doc option limits.tenants[${index}]: expected a name and an integer queueBound >= 1, got ${JSON.stringify(tenant)}`,
      );
    }
  });
  return limits;
}
