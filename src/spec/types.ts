// The telemetry spec as users write it: one typed object per service, read by the runtime SDK
// and by every generator (collector YAML, Prometheus rules, dashboards, docs).

import { PIPELINE_EXPORT_SIGNALS as SIGNALS } from './spec-schema.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'string[]' | 'object';

export interface FieldSpec {
  readonly type: FieldType;
  /** Defaults to true: a missing required field is a schema violation. */
  readonly required?: boolean;
  /** Redacted (replaced by "[REDACTED]") before the line reaches any destination. */
  readonly sensitive?: boolean;
  /** User-supplied: control characters escaped and length capped before it reaches any destination. */
  readonly untrusted?: boolean;
  /**
   * For strings: the longest value kept; longer values are cut (default 4096). For `string[]` and
   * `object`: the longest JSON written; a longer value is left out (default 16384). Either way the
   * line is marked `too_long`.
   */
  readonly maxLength?: number;
  /** For strings: the only values allowed. */
  readonly enum?: readonly string[];
  readonly description?: string;
}

export interface EventSpec {
  readonly level: LogLevel;
  readonly description?: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Security events go to their own stream, never into the application log. */
  readonly security?: boolean;
  /** Always logged inside a span: `plumbline check live` reports a line of it without trace_id. */
  readonly inSpan?: boolean;
  /**
   * A rate budget: lines past `linesPerSecond` are not written but counted, and the next written
   * line of the event carries `suppressed` (how many were left out since the last written one).
   * With `key`, each value of that field (a required string field with an `enum`, so the budgets
   * are bounded) has a budget of its own: a storm of one reason cannot hide the lines of another.
   */
  readonly budget?: { readonly linesPerSecond: number; readonly key?: string };
}

export interface ServiceSpec {
  readonly name: string;
  readonly version?: string;
  readonly environment?: string;
}

/** Explicit boundaries, or a plan derived from the spec's SLO thresholds over a range. */
export type BucketPlan =
  | { readonly boundaries: readonly number[] }
  | {
      readonly fromSlos: {
        /** Smallest and largest boundary of the plan. */
        readonly min: number;
        readonly max: number;
        /** Boundaries per decade between min and max (default 4), before SLO thresholds are added. */
        readonly perDecade?: number;
      };
    };

export interface ExemplarSpec {
  /** Default true. */
  readonly enabled?: boolean;
  /** Only buckets whose upper boundary is above this value keep exemplars (the slow buckets). */
  readonly minValue?: number;
  /** At most this many exemplars replaced per second per series (default unlimited). */
  readonly maxPerSecond?: number;
}

export interface HistogramSpec {
  readonly description: string;
  /** UCUM unit: 's', 'ms', 'By', '1', ... */
  readonly unit: string;
  readonly attributes?: readonly string[];
  /** Distinct attribute sets kept before measurements go to the overflow series. Default 2000. */
  readonly cardinalityLimit?: number;
  readonly buckets: BucketPlan;
  readonly exemplars?: ExemplarSpec;
}

export interface CounterSpec {
  readonly description: string;
  readonly unit?: string;
  readonly attributes?: readonly string[];
  readonly cardinalityLimit?: number;
  /**
   * `{ enabled: false }`: this counter keeps no exemplar, so an `add` inside a span never asks
   * the tail sampler to keep its trace. Default on (one exemplar per series).
   */
  readonly exemplars?: { readonly enabled?: boolean };
}

export interface GaugeSpec {
  readonly description: string;
  readonly unit?: string;
  readonly attributes?: readonly string[];
  readonly cardinalityLimit?: number;
  /**
   * How dashboards bring the instances' values to one: `sum` (a queue depth, bytes held),
   * `avg` (a share of each instance's own total, a temperature), `max` or `min` (a reading of
   * one instance: a lag, a delay, free space left). Unset, the unit decides: ratios (`1`, `%`)
   * are averaged, times show the highest instance, anything else is summed.
   */
  readonly acrossInstances?: GaugeAcrossInstances;
}

/** How the instances' values of one gauge are brought to one value (a PromQL aggregation). */
export type GaugeAcrossInstances = 'sum' | 'avg' | 'max' | 'min';

/** Selects series by attribute values: { outcome: ['error', 'timeout'] }. */
export type AttributeMatch = Readonly<Record<string, readonly string[]>>;

export type SliSpec =
  | {
      readonly kind: 'availability';
      /** A counter or histogram of all requests. */
      readonly metric: string;
      /** The requests that count as bad. */
      readonly bad: AttributeMatch;
      /** Only these requests count at all (e.g. exclude client errors). */
      readonly where?: AttributeMatch;
    }
  | {
      readonly kind: 'latency';
      readonly histogram: string;
      /** In the histogram's unit; must be one of its bucket boundaries. */
      readonly threshold: number;
      readonly where?: AttributeMatch;
    }
  | {
      /**
       * plumbline's own OTLP export: good events are the items exported without error
       * (plumbline_telemetry_exported_total), bad ones every item of those signals dropped for
       * any reason (plumbline_telemetry_dropped_total: a full queue, a failed export, a busy
       * exporter). No metric of the spec is read.
       */
      readonly kind: 'pipeline';
      /** The `signal` values that count. Default all three. */
      readonly signals?: readonly PipelineExportSignal[];
    };

/**
 * What plumbline exports over OTLP, as the `signal` label of its telemetry self-metrics: spans
 * and log records count one each, metric exports one per batch (one collection of every
 * instrument).
 */
export type PipelineExportSignal = (typeof SIGNALS)[number];

/** Every {@link PipelineExportSignal}, in the order a pipeline SLI reads them by default. */
export const PIPELINE_EXPORT_SIGNALS: readonly PipelineExportSignal[] = SIGNALS;

export type SloWindow = '30d' | '28d' | '7d';

export interface AlertTierSpec {
  readonly severity: 'page' | 'ticket';
  /** Burn-rate factor, e.g. 14.4. */
  readonly burnRate: number;
  readonly longWindow: string;
  readonly shortWindow: string;
}

export interface SloSpec {
  readonly description: string;
  readonly sli: SliSpec;
  /** Percent, e.g. 99.9. */
  readonly objective: number;
  readonly window?: SloWindow;
  /**
   * Alerting tiers by name. Omitted: the SRE workbook's four (page-fast, page-slow,
   * ticket-fast, ticket-slow). A tier set to false is turned off; an object overrides it.
   */
  readonly alerting?: Readonly<Record<string, AlertTierSpec | false>>;
  /** Fewer events than this in a long window never fire an alert (low-traffic guard). Default 10. */
  readonly minEvents?: number;
}

export type SamplingPolicySpec =
  | {
      readonly name: string;
      readonly kind: 'errors';
      /**
       * Error traces kept per second (per key value, by weighted fair shares); past it they are
       * sampled with `ot=th` adjusted counts and the rest dropped and counted. Absent: every error
       * trace is kept.
       */
      readonly budget?: ErrorBudgetSpec;
    }
  | {
      readonly name: string;
      readonly kind: 'latency';
      readonly thresholdMs: number;
      /** Per-route thresholds keyed by the value of `routeAttribute` (default http.route). */
      readonly routes?: Readonly<Record<string, number>>;
      readonly routeAttribute?: string;
    }
  | {
      readonly name: string;
      readonly kind: 'exemplar';
      /**
       * At most this many traces kept per second because an exemplar points at them (default
       * 10); an exemplar over it is not taken, and its slot keeps the one it had.
       */
      readonly tracesPerSecond?: number;
    }
  | {
      readonly name: string;
      readonly kind: 'attribute';
      readonly key: string;
      readonly values: readonly string[];
    }
  | {
      readonly name: string;
      readonly kind: 'budget';
      readonly tracesPerSecond: number;
      /**
       * Attribute that names the fairness key (route, tenant): the first weighted value the resource
       * or any span of the trace carries, else the local root's value (as the collector reads it).
       */
      readonly key?: string;
      /** Weighted fair shares per key value; unlisted keys weigh 1. */
      readonly weights?: Readonly<Record<string, number>>;
    };

export interface ErrorBudgetSpec {
  readonly tracesPerSecond: number;
  /**
   * Attribute that names the fairness key (route, tenant): the first weighted value the resource or
   * any span of the trace carries, else the local root's value (as the collector reads it).
   */
  readonly key?: string;
  /** Weighted fair shares per key value; unlisted keys weigh 1. */
  readonly weights?: Readonly<Record<string, number>>;
}

export interface SamplingSpec {
  /** Grace period after the local root ends, for detached async work. Default 100 ms. */
  readonly decisionWaitMs?: number;
  readonly maxTraces?: number;
  readonly maxSpansPerTrace?: number;
  readonly maxBytes?: number;
  readonly dryRun?: boolean;
  readonly policies: readonly SamplingPolicySpec[];
}

/** How the generated collector configs connect the tiers. */
export interface CollectorSpec {
  /**
   * Mutual TLS between agents and gateways. Default true; false is an explicit opt-out that the
   * generated YAML states (`insecure: true`), so it is visible in review.
   */
  readonly tls?: boolean;
}

/** The attributes every SERVER span carries; `plumbline check live` verifies them. */
export interface ServerSpanSpec {
  /**
   * A semantic convention the server spans follow: 'http' requires http.request.method,
   * url.path, url.scheme and http.response.status_code (error.type on 5xx) with valid values.
   */
  readonly convention?: 'http';
  /** Further attributes on every server span (e.g. a tenant). */
  readonly attributes?: readonly string[];
}

export interface SpansSpec {
  readonly server?: ServerSpanSpec;
}

export interface TelemetrySpec {
  /** Version of this spec's format. */
  readonly specVersion?: 1;
  /** Version of the event schemas; written on every log line as schema_version. */
  readonly schemaVersion?: string;
  readonly service: ServiceSpec;
  readonly events: Readonly<Record<string, EventSpec>>;
  readonly counters?: Readonly<Record<string, CounterSpec>>;
  readonly gauges?: Readonly<Record<string, GaugeSpec>>;
  readonly histograms?: Readonly<Record<string, HistogramSpec>>;
  readonly slos?: Readonly<Record<string, SloSpec>>;
  readonly sampling?: SamplingSpec;
  readonly collector?: CollectorSpec;
  readonly spans?: SpansSpec;
}

// ---- compile-time types derived from a spec ----

type FieldValue<F extends FieldSpec> = ValueOfType<F['type'], F>;

/**
 * What a field of type `T` takes. Distributes over `T`, so a spec typed only as TelemetrySpec
 * (loadSpecFile's answer) takes any field type's value rather than only an object's.
 */
type ValueOfType<T extends FieldSpec['type'], F extends FieldSpec> = T extends 'string'
  ? F['enum'] extends readonly (infer E extends string)[]
    ? E
    : string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'string[]'
        ? readonly string[]
        : // An Error is written with its type, message and stack (docs/logs.md).
          Readonly<Record<string, unknown>> | Error;

type RequiredKeys<Fs extends Readonly<Record<string, FieldSpec>>> = {
  [K in keyof Fs]: Fs[K]['required'] extends false ? never : K;
}[keyof Fs];
type OptionalKeys<Fs extends Readonly<Record<string, FieldSpec>>> = Exclude<keyof Fs, RequiredKeys<Fs>>;

/** The object `log.event(name, fields)` takes for one event of a spec. */
export type EventFields<E extends EventSpec> = {
  -readonly [K in RequiredKeys<E['fields']>]: FieldValue<E['fields'][K]>;
} & {
  -readonly [K in OptionalKeys<E['fields']>]?: FieldValue<E['fields'][K]>;
};

export type EventName<S extends TelemetrySpec> = Extract<keyof S['events'], string>;
export type HistogramName<S extends TelemetrySpec> = Extract<keyof NonNullable<S['histograms']>, string>;
export type CounterName<S extends TelemetrySpec> = Extract<keyof NonNullable<S['counters']>, string>;
export type GaugeName<S extends TelemetrySpec> = Extract<keyof NonNullable<S['gauges']>, string>;
