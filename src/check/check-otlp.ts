// Checks what arrives over OTLP: spans (sensitive attributes, the attributes sampling policies
// key on, declared server-span attributes and the HTTP convention) and metrics (declared names,
// types, units, attributes, bucket boundaries, cardinality and exemplars; an undeclared metric of
// an instrumentation scope is not the spec's: not-spec-metrics.ts).
import { REDACTED } from '../logs/field-schema.js';
import { formatPrometheusFloat } from '../spec/naming.js';
import {
  HTTP_SERVER_DURATION_REQUIRED,
  HTTP_SERVER_SPAN_REQUIRED,
  httpServerAttributeProblems,
} from '../spec/semconv-http.js';
import type { TelemetrySpec } from '../spec/types.js';
import type { Deviations } from './deviations.js';
import type { ExpectedTelemetry } from './expected.js';
import type { NotSpecMetrics } from './not-spec-metrics.js';
import { SPAN_KIND_CONSUMER, SPAN_KIND_SERVER, type OtlpMetric, type OtlpSpan } from './otlp-decode.js';

const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';
const OTLP_TYPES = { histogram: 'histogram', counter: 'sum', gauge: 'gauge' } as const;

/**
 * An attribute a sampling policy keys on, and the policy's name. The sampler reads it on the
 * local root, on its resource or on any other span of the trace (a latency policy's route since
 * e701791, a budget's key since 8b07623, in-process as in the collector's string_attribute): a
 * root without it whose resource or trace carries it is no deviation (regressions:
 * check-live-flags-route-carried-on-resource, budget-key-read-from-root-only,
 * check-live-flags-key-carried-by-a-child-span).
 */
interface SamplingKey {
  readonly attribute: string;
  readonly policy: string;
  /**
   * Only server roots must carry it: a latency policy's `http.route`. A root without a route
   * (a job's, a consumer's) is held to `thresholdMs`, as documented, and that is no deviation.
   */
  readonly serverOnly?: true;
}

/** A root named for lacking a key: taken back if a span of its trace exported later carries it. */
interface NamedRoot {
  readonly key: SamplingKey;
  readonly subject: string;
}

/**
 * Traces whose roots were named for lacking a key, and traces in which a span carried one (for a
 * root exported after it, as a root usually is): each bounded, the oldest forgotten first. A root
 * exported after MAX_TRACES_HELD other traces' spans is named, carried or not.
 */
const MAX_TRACES_HELD = 10_000;

export function samplingKeys(spec: TelemetrySpec): SamplingKey[] {
  const keys: SamplingKey[] = [];
  for (const policy of spec.sampling?.policies ?? []) {
    if (policy.kind === 'budget' && policy.key !== undefined)
      keys.push({ attribute: policy.key, policy: policy.name });
    if (policy.kind === 'errors' && policy.budget?.key !== undefined)
      keys.push({ attribute: policy.budget.key, policy: policy.name });
    if (policy.kind === 'latency' && policy.routes !== undefined)
      keys.push(
        policy.routeAttribute === undefined
          ? { attribute: 'http.route', policy: policy.name, serverOnly: true }
          : { attribute: policy.routeAttribute, policy: policy.name },
      );
  }
  return keys;
}

export class OtlpChecker {
  private readonly samplingKeys: readonly SamplingKey[];
  /** By trace and service: roots named for lacking a key. */
  private readonly namedRoots = new Map<string, NamedRoot[]>();
  /** By trace and service: the key attributes a span carried. */
  private readonly carriers = new Map<string, Set<string>>();
  /** Per histogram: observations in exemplar-eligible buckets, and exemplars seen. */
  private readonly exemplarTallies = new Map<string, { eligible: number; exemplars: number }>();
  spans = 0;
  /**
   * Server and consumer spans whose sampling keys went unchecked: they have a parent and their
   * exporter's flags do not say whether it is remote (see OtlpSpan.parentOriginUnknown).
   */
  entrySpansParentUnknown = 0;
  metricPoints = 0;

  constructor(
    private readonly spec: TelemetrySpec,
    private readonly expected: ExpectedTelemetry,
    private readonly deviations: Deviations,
    /** Takes the metrics neither declared nor plumbline's; without it they are undeclared. */
    private readonly notSpec?: NotSpecMetrics,
  ) {
    this.samplingKeys = samplingKeys(spec);
  }

  checkSpan(span: OtlpSpan): void {
    this.spans++;
    for (const [key, value] of Object.entries(span.attributes)) {
      if (this.expected.sensitiveFields.has(key) && value !== REDACTED)
        this.deviations.add(
          'sensitive-unredacted',
          `${span.name} ${key}`,
          'otlp-traces',
          `span attribute ${key} in clear`,
        );
    }
    // The tail sampler reads its keys on the trace (see SamplingKey); a root lacking one is named,
    // and a request enters at a server span, a message at a consumer span (a queue worker's traces
    // have no server span at all).
    const entry = span.kind === SPAN_KIND_SERVER || span.kind === SPAN_KIND_CONSUMER;
    // No false deviation from an older exporter: a span that may have a local parent is no root.
    if (entry && span.parentOriginUnknown === true && this.samplingKeys.length > 0)
      this.entrySpansParentUnknown++;
    if (this.samplingKeys.length > 0) this.checkSamplingKeys(span, entry && span.localRoot);
    if (span.kind !== SPAN_KIND_SERVER) return;
    const server = this.spec.spans?.server;
    for (const attribute of server?.attributes ?? []) {
      if (span.attributes[attribute] === undefined)
        this.deviations.add(
          'span-attribute-missing',
          `${span.name} ${attribute}`,
          'otlp-traces',
          `server span lacks ${attribute}`,
        );
    }
    if (server?.convention === 'http') {
      for (const problem of httpServerAttributeProblems(span.attributes, HTTP_SERVER_SPAN_REQUIRED))
        this.deviations.add('semconv', `${span.name} ${problem.split(' ')[0]!}`, 'otlp-traces', problem);
    }
  }

  /**
   * A local root lacking a key the sampler reads is named unless its resource carries the key, or
   * another span of its trace in the same service does: one exported before it, or one exported
   * after it, which takes the deviation back.
   */
  private checkSamplingKeys(span: OtlpSpan, root: boolean): void {
    const trace = `${span.traceId}\u0000${String(span.resource['service.name'] ?? '')}`;
    for (const key of this.samplingKeys) {
      const attribute = key.attribute;
      if (span.attributes[attribute] !== undefined) {
        this.carried(trace, attribute);
        continue;
      }
      if (!root || (key.serverOnly === true && span.kind !== SPAN_KIND_SERVER)) continue;
      if (span.resource[attribute] !== undefined || this.carriers.get(trace)?.has(attribute) === true)
        continue;
      const subject = `${span.name} ${attribute}`;
      this.deviations.add(
        'sampling-key-missing',
        subject,
        'otlp-traces',
        `sampling policy "${key.policy}" keys on ${attribute}; neither the local root span, its resource nor another span of its trace carries it`,
      );
      let named = this.namedRoots.get(trace);
      if (named === undefined) {
        named = [];
        held(this.namedRoots, trace, named);
      }
      named.push({ key, subject });
    }
  }

  /** A span of the trace carries the key: roots named for lacking it are taken back. */
  private carried(trace: string, attribute: string): void {
    const named = this.namedRoots.get(trace);
    if (named !== undefined) {
      const left = named.filter((root) => {
        if (root.key.attribute !== attribute) return true;
        this.deviations.retract('sampling-key-missing', root.subject, 'otlp-traces');
        return false;
      });
      if (left.length > 0) this.namedRoots.set(trace, left);
      else this.namedRoots.delete(trace);
    }
    const carried = this.carriers.get(trace);
    if (carried !== undefined) carried.add(attribute);
    else held(this.carriers, trace, new Set([attribute]));
  }

  checkMetric(metric: OtlpMetric): void {
    this.metricPoints += metric.points.length;
    const instrument = this.expected.byName.get(metric.name);
    if (instrument === undefined) {
      if (isSdkMetric(metric.name, this.expected)) return;
      if (this.notSpec !== undefined) this.notSpec.otlpMetric(metric);
      else
        this.deviations.add(
          'undeclared-metric',
          metric.name,
          'otlp-metrics',
          `${metric.type}, not in the spec`,
        );
      return;
    }
    const subject = instrument.name;
    const wantType = OTLP_TYPES[instrument.kind];
    if (metric.type !== wantType || (instrument.kind === 'counter' && !metric.monotonic))
      this.deviations.add(
        'type-mismatch',
        subject,
        'otlp-metrics',
        `sent as ${metric.monotonic ? 'monotonic ' : ''}${metric.type}, declared ${instrument.kind}`,
      );
    if (metric.unit !== instrument.unit)
      this.deviations.add(
        'unit-mismatch',
        subject,
        'otlp-metrics',
        `unit "${metric.unit}", declared "${instrument.unit}"`,
      );
    if (metric.points.length > instrument.cardinalityLimit)
      this.deviations.add(
        'cardinality-exceeded',
        subject,
        'otlp-metrics',
        `${metric.points.length} points in one export, cap ${instrument.cardinalityLimit}`,
      );
    const planned = (instrument.boundaries ?? []).map(formatPrometheusFloat).join(', ');
    const exemplars = instrument.exemplars;
    let tally = this.exemplarTallies.get(subject);
    if (tally === undefined) this.exemplarTallies.set(subject, (tally = { eligible: 0, exemplars: 0 }));
    for (const point of metric.points) {
      for (const key of Object.keys(point.attributes)) {
        if (this.expected.sensitiveFields.has(key) && point.attributes[key] !== REDACTED)
          this.deviations.add(
            'sensitive-unredacted',
            `${subject} ${key}`,
            'otlp-metrics',
            `attribute ${key} in clear`,
          );
        if (key === OVERFLOW_ATTRIBUTE) {
          this.deviations.add(
            'cardinality-exceeded',
            subject,
            'otlp-metrics',
            `the overflow point is present: more than ${instrument.cardinalityLimit} attribute sets were recorded`,
          );
        } else if (!instrument.attributes.has(key)) {
          this.deviations.add(
            'undeclared-attribute',
            `${subject} ${key}`,
            'otlp-metrics',
            `attribute ${key} is not declared`,
          );
        }
      }
      if (instrument.httpServerConvention && point.attributes[OVERFLOW_ATTRIBUTE] === undefined) {
        for (const problem of httpServerAttributeProblems(point.attributes, HTTP_SERVER_DURATION_REQUIRED))
          this.deviations.add('semconv', `${subject} ${problem.split(' ')[0]!}`, 'otlp-metrics', problem);
      }
      if (point.explicitBounds !== undefined && instrument.kind === 'histogram') {
        const bounds = point.explicitBounds.map(formatPrometheusFloat).join(', ');
        if (bounds !== planned)
          this.deviations.add(
            'bucket-mismatch',
            subject,
            'otlp-metrics',
            `explicit bounds ${bounds}; planned ${planned}`,
          );
        const counts = point.bucketCounts ?? [];
        for (let i = 0; i < counts.length; i++) {
          const upper = i < point.explicitBounds.length ? point.explicitBounds[i]! : Infinity;
          if (exemplars !== undefined && upper > exemplars.minValue) tally.eligible += counts[i]!;
        }
      }
      tally.exemplars += point.exemplars;
    }
  }

  /** Exemplar checks over the whole run (an export may come before any slow request). */
  finish(): void {
    this.namedRoots.clear();
    this.carriers.clear();
    for (const [name, tally] of this.exemplarTallies) {
      const exemplars = this.expected.byName.get(name)?.exemplars;
      if (exemplars === undefined) continue;
      if (exemplars.enabled && tally.eligible > 0 && tally.exemplars === 0)
        this.deviations.add(
          'exemplars-missing',
          name,
          'otlp-metrics',
          `observations above ${exemplars.minValue} were exported and no point carried an exemplar`,
        );
      if (!exemplars.enabled && tally.exemplars > 0)
        this.deviations.add(
          'exemplars-unexpected',
          name,
          'otlp-metrics',
          `${tally.exemplars} exemplars; the spec turns them off`,
        );
    }
  }
}

/** Adds an entry to a map of at most MAX_TRACES_HELD, forgetting the oldest. */
function held<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= MAX_TRACES_HELD) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** plumbline's own metrics, under their Prometheus or OTel spelling. */
function isSdkMetric(name: string, expected: ExpectedTelemetry): boolean {
  const prometheusName = name.replace(/\./g, '_').replace(/_total$/, '');
  return (
    expected.sdkFamilies.has(prometheusName) || name.startsWith('plumbline.') || name.startsWith('plumbline_')
  );
}
