// The invariants the service promises, as data: each with its anchor, the metrics and alerts that
// watch it, the panels that show it and what the on-call does first. Metric names come from the
// catalogue, alerts from the rule generators (matched by runbook anchor), panels from the
// dashboards generator, so a rename anywhere shows up here or fails the render.
import {
  formatPrometheusFloat,
  prometheusBaseName,
  prometheusCounterName,
  sanitizeLabelName,
  sloSeries,
} from '../../spec/naming.js';
import type { PipelineExportSignal, SamplingPolicySpec, TelemetrySpec } from '../../spec/types.js';
import { exemplarTracesPerSecond } from '../../spec/sampling-settings.js';
import { resolveSpec } from '../../spec/model.js';
import type { SloModel } from '../../slo/model.js';
import { EXEMPLAR_SPAN_ATTRIBUTE as EXEMPLAR_ATTRIBUTE, sdkSeries } from '../../spec/naming.js';
import { collectorMetrics as otelcol, scrapeUpMetric, sdkSelfMetrics as sdk } from '../pipeline-series.js';
import { attributeMatchers, labelMatcher } from '../../spec/promql.js';
import type { AlertRef, Monitors, PanelRef } from './monitors.js';
import type { ResolvedInvariantsDocOptions } from './options.js';
import { ABSENT_ALERT, ABSENT_FOR } from '../rules/text.js';
import { errorBudgetPercentText } from '../../slo/percent-text.js';

/** A series the doc cites: a catalogue name, optional label matchers, and what it says. */
export interface MetricRef {
  readonly name: string;
  /** PromQL matchers without braces, e.g. `decision="accepted"`; '' for none. */
  readonly matchers: string;
  readonly meaning: string;
}

export interface Invariant {
  /** Explicit anchor; every runbook_url of the alerts that watch this invariant ends in it. */
  readonly anchor: string;
  readonly title: string;
  readonly promise: string;
  readonly metrics: readonly MetricRef[];
  /** Alert rules whose runbook_url points at this anchor. */
  readonly alerts: readonly AlertRef[];
  /** Anchors of other invariants whose alerts also fire when this one breaks. */
  readonly related: readonly string[];
  readonly panels: readonly PanelRef[];
  /** A PromQL query the on-call can paste, with what its answer means. */
  readonly query?: { readonly promql: string; readonly reading: string };
  readonly firstSteps: readonly string[];
}

/** The anchors of invariants whose alerts are not SLO alerts, named by pipeline-alerts.ts' runbook URLs. */
export const PIPELINE_ANCHORS = {
  exporterFailures: 'collector-exporter-failures',
  sendingQueue: 'collector-sending-queue-full',
  refusedSpans: 'collector-refused-spans',
  schemaViolations: 'schema-violations',
  scrapeTargetDown: 'scrape-target-down',
} as const;

export const SERVICE_ANCHORS = {
  delivery: 'accepted-events-stored',
  queue: 'queue-depth-bounded',
  exemplars: 'exemplars-point-at-kept-traces',
  telemetryFailure: 'telemetry-never-blocks-requests',
} as const;

/** The anchor of an SLO's invariant, as the SLO rule generator spells its runbook_url. */
export function sloAnchor(sloName: string): string {
  return `slo-${sloName}`;
}

type Draft = Omit<Invariant, 'alerts'>;

/**
 * Builds every invariant of the spec in doc order. The service invariants (delivery, queue) are
 * there when their options name instruments, and those must exist (a typo fails the render).
 */
export function buildInvariants(
  spec: TelemetrySpec,
  options: ResolvedInvariantsDocOptions,
  monitors: Monitors,
): Invariant[] {
  const cite = citer(monitors);
  const slos = resolveSpec(spec).slos;
  const drafts: Draft[] = [];
  if (options.delivery !== false) drafts.push(deliveryInvariant(spec, options, monitors, cite, slos));
  if (options.queue !== false) drafts.push(queueInvariant(spec, options, monitors, cite));
  for (const slo of slos) drafts.push(sloInvariant(spec, slo, options, monitors, cite));
  drafts.push(exemplarInvariant(spec, monitors, cite));
  drafts.push(telemetryFailureInvariant(spec, monitors, cite, slos));
  drafts.push(...pipelineInvariants(options, monitors, cite));
  return drafts.map((draft) => ({
    ...draft,
    alerts: monitors.alerts.filter((alert) => alert.anchor === draft.anchor),
  }));
}

type Cite = (name: string, matchers: readonly string[], meaning: string) => MetricRef;

/** A MetricRef whose name must be in the catalogue: a typo or a vanished series fails the render. */
function citer(monitors: Monitors): Cite {
  return (name, matchers, meaning) => {
    if (!monitors.metrics.has(name)) {
      throw new Error(
        `invariants doc: metric ${name} is not produced by the spec, the SDK, the SLO rules or the collector`,
      );
    }
    return { name, matchers: matchers.join(', '), meaning };
  };
}

function counterSeries(spec: TelemetrySpec, name: string, field: string): string {
  const counter = spec.counters?.[name];
  if (counter === undefined) throw missing(field, name, 'counter');
  return prometheusCounterName(name, counter.unit);
}

function histogramBase(spec: TelemetrySpec, name: string, field: string): string {
  const histogram = spec.histograms?.[name];
  if (histogram === undefined) throw missing(field, name, 'histogram');
  return prometheusBaseName(name, histogram.unit);
}

function gaugeSeries(spec: TelemetrySpec, name: string, field: string): string {
  const gauge = spec.gauges?.[name];
  if (gauge === undefined) throw missing(field, name, 'gauge');
  return prometheusBaseName(name, gauge.unit);
}

function missing(field: string, name: string, kind: string): Error {
  return new Error(
    `invariants doc option ${field}: "${name}" is not a ${kind} of the spec (pass false to leave this invariant out)`,
  );
}

/** The series an SLI counts events on, with its `where` matchers. */
function sliTotal(spec: TelemetrySpec, slo: SloModel): { series: string; where: string[] } {
  // Exported and dropped together; the doc cites both by name.
  if (slo.sli.kind === 'pipeline')
    return { series: sdkSeries.telemetryExported, where: [labelMatcher('signal', slo.sli.signals)] };
  if (slo.sli.kind === 'latency') {
    return {
      series: `${histogramBase(spec, slo.sli.histogram, `slos.${slo.name}`)}_count`,
      where: attributeMatchers(slo.sli.where),
    };
  }
  const series =
    slo.sli.instrument === 'histogram'
      ? `${histogramBase(spec, slo.sli.metric, `slos.${slo.name}`)}_count`
      : counterSeries(spec, slo.sli.metric, `slos.${slo.name}`);
  return { series, where: attributeMatchers(slo.sli.where) };
}

const PIPELINE_SIGNAL_WORDS: Readonly<Record<PipelineExportSignal, string>> = {
  span: 'spans',
  log_record: 'log records',
  metric_batch: 'metric batches',
};

/** "a", "a and b", "a, b and c". */
function wordList(words: readonly string[]): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function ms(value: number): string {
  return `${value} ms`;
}

function deliveryInvariant(
  spec: TelemetrySpec,
  options: ResolvedInvariantsDocOptions,
  monitors: Monitors,
  cite: Cite,
  slos: readonly SloModel[],
): Draft {
  const delivery = options.delivery as Exclude<ResolvedInvariantsDocOptions['delivery'], false>;
  // resolveInvariantsDocOptions requires limits with delivery or queue.
  const limits = options.limits!;
  const decisions = counterSeries(spec, delivery.decisionsCounter, 'delivery.decisionsCounter');
  const batch = histogramBase(spec, delivery.batchSizeHistogram, 'delivery.batchSizeHistogram');
  const slo = slos.find((candidate) => candidate.name === delivery.slo);
  if (slo === undefined || slo.sli.kind !== 'availability') {
    throw new Error(
      `invariants doc option delivery.slo: "${delivery.slo}" is not an availability SLO of the spec`,
    );
  }
  const total = sliTotal(spec, slo);
  const bad = [...attributeMatchers(slo.sli.bad), ...total.where];
  return {
    anchor: SERVICE_ANCHORS.delivery,
    title: 'Every accepted event is stored',
    promise:
      `A request answered 202 has every one of its events committed to the store: batches of ${limits.minBatch} to ` +
      `${limits.maxBatch} events, one transaction each, committed at most ${ms(limits.maxWaitMs)} after the first one waits. ` +
      `An accepted request that cannot be stored within its ${ms(limits.timeoutMs)} deadline is answered 500 or 503 ` +
      `(never 202) and counts as bad for the \`${slo.name}\` SLO; a drain (SIGTERM) commits every accepted event before the process exits.`,
    metrics: [
      cite(
        decisions,
        attributeMatchers(delivery.accepted),
        'requests admitted (a 202 or an error is owed to each)',
      ),
      cite(`${batch}_sum`, [], 'events committed to the store'),
      cite(`${batch}_count`, [], 'transactions committed'),
      cite(
        total.series,
        bad,
        `accepted requests that ended without being stored (the \`${slo.name}\` SLO's bad events)`,
      ),
    ],
    related: [sloAnchor(slo.name)],
    panels: [
      monitors.panel({ dashboard: 'overview', metric: decisions, exprIncludes: 'by (decision)' }),
      monitors.panel({ dashboard: 'overview', metric: `${batch}_count` }),
      monitors.panel({
        dashboard: 'overview',
        metric: total.series,
        exprIncludes: attributeMatchers(slo.sli.bad)[0],
      }),
    ],
    query: {
      promql: `sum(increase(${total.series}{${bad.join(', ')}}[1h]))`,
      reading:
        'accepted requests not stored in the last hour; the promise is 0, the SLO tolerates its error budget',
    },
    firstSteps: [
      `Look at the \`${slo.name}\` SLO alerts (see [its section](#${sloAnchor(slo.name)})): they fire when accepted requests fail to be stored faster than the budget allows.`,
      `If \`${batch}_count\` stopped growing while requests are admitted, the store is stuck: check the disk and the SQLite file, and the \`batch.stored\` log lines.`,
      `If the failures are 503 timeouts, storage or enrichment is slower than the ${ms(limits.timeoutMs)} deadline: check the latency panels and the flush duration.`,
      'A process killed without a drain (SIGKILL, OOM) answers nothing for the requests it held: their clients retry. Find the restart in the scrape target history.',
    ],
  };
}

function queueInvariant(
  spec: TelemetrySpec,
  options: ResolvedInvariantsDocOptions,
  monitors: Monitors,
  cite: Cite,
): Draft {
  const queue = options.queue as Exclude<ResolvedInvariantsDocOptions['queue'], false>;
  const depth = gaugeSeries(spec, queue.depthGauge, 'queue.depthGauge');
  const decisions = counterSeries(spec, queue.decisionsCounter, 'queue.decisionsCounter');
  const gauge = spec.gauges?.[queue.depthGauge];
  if (!(gauge?.attributes ?? []).includes(queue.tenantAttribute)) {
    throw new Error(
      `invariants doc option queue.tenantAttribute: "${queue.tenantAttribute}" is not an attribute of gauge "${queue.depthGauge}"`,
    );
  }
  const tenant = sanitizeLabelName(queue.tenantAttribute);
  const limits = options.limits!;
  const bounds = limits.tenants;
  const over = bounds.map(
    (t) =>
      `max(${depth}{${attributeMatchers({ [queue.tenantAttribute]: [t.name] }).join(', ')}}) > ${t.queueBound}`,
  );
  return {
    anchor: SERVICE_ANCHORS.queue,
    title: 'Queue depth never exceeds its bound',
    promise:
      `Each tenant's ingress queue holds at most its bound of events (${bounds.map((t) => `${t.name} ${t.queueBound}`).join(', ')}; ` +
      `\`[tenants.<name>] queue_bound\`). A request that would overflow it is refused with 429 and counted, never queued; ` +
      `at most ${limits.maxInFlight} requests are inside the service at once (503 beyond), so memory stays bounded under any load.`,
    metrics: [
      cite(depth, [], `events waiting per tenant (label \`${tenant}\`)`),
      cite(decisions, attributeMatchers(queue.queueFull), 'requests refused because the queue was full'),
    ],
    related: [],
    panels: [
      monitors.panel({ dashboard: 'overview', metric: depth }),
      monitors.panel({ dashboard: 'overview', metric: decisions, exprIncludes: 'by (reason)' }),
    ],
    query: {
      promql: over.join('\nor\n'),
      reading:
        'tenants whose queue is above its bound, empty while the promise holds; no alert rule watches this bound yet',
    },
    firstSteps: [
      'A queue near its bound with queue_full refusals rising is the protection working: that tenant sends more than enrichment and storage drain. Tell the tenant; raise `queue_bound` only with memory to spare.',
      `Check why draining slowed: enrichment degraded lines (dependencies slower than the ${ms(limits.enrichmentBudgetMs)} budget) and the batch flush duration.`,
      'A depth above the bound is a bug, not load: keep the /healthz output and the panel, and file it.',
    ],
  };
}

function sloInvariant(
  spec: TelemetrySpec,
  slo: SloModel,
  options: ResolvedInvariantsDocOptions,
  monitors: Monitors,
  cite: Cite,
): Draft {
  const sloMatcher = `slo="${slo.name}"`;
  const shortest = slo.windows[0] as string;
  const total = sliTotal(spec, slo);
  const budgetPercent = errorBudgetPercentText(slo.objective);
  const metrics: MetricRef[] = [
    cite(
      sloSeries.errorRatio(shortest),
      [sloMatcher],
      `error ratio over ${shortest} (one recording rule per window)`,
    ),
    cite(
      sloSeries.errorRatio(slo.window),
      [sloMatcher],
      `error ratio over the ${slo.window} window: 1 minus the SLI the dashboard and the alerts show`,
    ),
    cite(
      sloSeries.errorBudgetRemainingGauge,
      [sloMatcher],
      `share of the ${slo.window} error budget left, from the in-process calculator`,
    ),
  ];
  const panels: PanelRef[] = [
    monitors.panel({
      dashboard: 'slos',
      metric: sloSeries.errorRatio(slo.window),
      exprIncludes: sloMatcher,
      type: 'stat',
    }),
    monitors.panel({
      dashboard: 'slos',
      metric: sloSeries.errorBudgetRemainingGauge,
      exprIncludes: sloMatcher,
    }),
  ];
  let what: string;
  const steps: string[] = [
    `Read the firing tier: a page tier (fast or slow burn) means act now, a ticket tier means within the working day. \`${ABSENT_ALERT}\` means the burn-rate alerts are blind: start at [targets are scraped](#${PIPELINE_ANCHORS.scrapeTargetDown}).`,
    'Open the burn-rate panels of this SLO: a short window back under the line means the burn stopped; a deploy in the last hour that lines up with the start is the first suspect: [roll back](#deploy-and-roll-back).',
  ];
  if (slo.sli.kind === 'latency') {
    const base = histogramBase(spec, slo.sli.histogram, `slos.${slo.name}.sli.histogram`);
    const le = formatPrometheusFloat(slo.sli.threshold);
    what =
      `events of \`${slo.sli.histogram}\` within ${slo.sli.threshold} ${spec.histograms?.[slo.sli.histogram]?.unit ?? ''}`.trimEnd();
    metrics.push(
      cite(`${base}_bucket`, [`le="${le}"`, ...total.where], 'events within the threshold (the good events)'),
    );
    metrics.push(cite(total.series, total.where, 'all events the SLI counts'));
    panels.push(monitors.panel({ dashboard: 'overview', metric: `${base}_bucket`, type: 'heatmap' }));
    const limits = options.limits;
    steps.push(
      'Open the heatmap and click an exemplar in a slow bucket: its trace shows the stage that took the time' +
        (limits === undefined
          ? '.'
          : ` (enrichment is capped at ${ms(limits.enrichmentBudgetMs)}, a batch waits at most ${ms(limits.maxWaitMs)}, the deadline is ${ms(limits.timeoutMs)}).`),
    );
  } else if (slo.sli.kind === 'pipeline') {
    what = `the ${wordList(slo.sli.signals.map((signal) => PIPELINE_SIGNAL_WORDS[signal]))} plumbline hands to its OTLP exporters, exported without error`;
    metrics.push(
      cite(
        sdkSeries.telemetryDropped,
        total.where,
        'items dropped (the bad events), by reason: queue_full, export_failed, busy, not_started',
      ),
    );
    metrics.push(
      cite(sdkSeries.telemetryExported, total.where, 'items exported without error (the good events)'),
    );
    panels.push(
      monitors.panel({ dashboard: 'slos', metric: sdkSeries.telemetryDropped, exprIncludes: total.where[0] }),
    );
    steps.push(
      `Read the dropped reasons on this SLO's panel. \`export_failed\` on every signal: the collector (or the endpoint in \`OTEL_EXPORTER_OTLP_ENDPOINT\`) is down, refusing or slower than the export timeout; check it is up and its receivers' refusals ([collector refuses spans](#${PIPELINE_ANCHORS.refusedSpans})). \`queue_full\`: bursts over the SDK's export queue (\`maxQueuedSpans\`, \`maxQueuedLogRecords\`); \`busy\`: a metric export still running at the next interval. The service itself keeps serving ([telemetry never blocks requests](#${SERVICE_ANCHORS.telemetryFailure})).`,
    );
  } else {
    what = `events of \`${slo.sli.metric}\` that are not ${attributeMatchers(slo.sli.bad).join(', ')}`;
    metrics.push(cite(total.series, [...attributeMatchers(slo.sli.bad), ...total.where], 'bad events'));
    metrics.push(cite(total.series, total.where, 'all events the SLI counts'));
    panels.push(
      monitors.panel({
        dashboard: 'overview',
        metric: total.series,
        // The SLO's own panel: several SLIs may read one instrument with other where matchers.
        exprIncludes: [attributeMatchers(slo.sli.bad)[0]!, ...total.where],
      }),
    );
    steps.push(
      'Split the error ratio by tenant and route on the service overview: one tenant points at its traffic, all of them at a dependency or the store. Error traces are always kept: open one from the trace table.',
    );
  }
  metrics.push(
    cite(
      sloSeries.alertFiringGauge,
      [sloMatcher],
      'tiers firing (1) per the in-process calculator, to compare with Prometheus',
    ),
  );
  panels.push(
    monitors.panel({ dashboard: 'slos', metric: sloSeries.alertFiringGauge, exprIncludes: sloMatcher }),
  );
  return {
    anchor: sloAnchor(slo.name),
    title: `SLO ${slo.name}: ${slo.objective}% over ${slo.window}`,
    promise:
      `${slo.description.replace(/\.?$/, '.')} Objective: ${slo.objective}% of ${what}` +
      `${total.where.length > 0 ? ` (only ${total.where.join(', ')})` : ''}, over a rolling ${slo.window}; ` +
      `the error budget is ${budgetPercent}% of events. Burn-rate alerts: ${slo.tiers
        .map(
          (tier) =>
            `${tier.name} (${tier.severity}, ${tier.burnRate}x over ${tier.longWindow} and ${tier.shortWindow})`,
        )
        .join(', ')}; fewer than ${slo.minEvents} events in a long window never fire an alert.`,
    metrics,
    related: [],
    panels,
    firstSteps: steps,
  };
}

/** The exemplar rule's rate as the doc states it. */
function exemplarRate(policy: SamplingPolicySpec | undefined): string {
  return `here ${exemplarTracesPerSecond(policy === undefined ? undefined : [policy])}`;
}

function exemplarInvariant(spec: TelemetrySpec, monitors: Monitors, cite: Cite): Draft {
  const withExemplars = Object.entries(spec.histograms ?? {}).filter(
    ([, h]) => h.exemplars?.enabled !== false,
  );
  const policy = spec.sampling?.policies.find((p) => p.kind === 'exemplar');
  const policyMatcher = policy === undefined ? [] : [`policy="${policy.name}"`];
  const histogramList = withExemplars
    .map(
      ([name, h]) =>
        `\`${name}\`${h.exemplars?.minValue === undefined ? '' : ` (buckets above ${h.exemplars.minValue} ${h.unit})`}`,
    )
    .join(', ');
  const buckets = withExemplars.map(([name]) => `${histogramBase(spec, name, 'histograms')}_bucket`);
  const panels: PanelRef[] = buckets
    .slice(0, 1)
    .map((bucket) => monitors.panel({ dashboard: 'overview', metric: bucket, type: 'heatmap' }));
  panels.push(monitors.panel({ dashboard: 'pipeline', metric: sdk.samplerDecisions }));
  panels.push(monitors.panel({ dashboard: 'pipeline', metric: otelcol.tailSamplingTracesSampled }));
  return {
    anchor: SERVICE_ANCHORS.exemplars,
    title: 'No exemplar points at a dropped trace',
    promise:
      `Exemplars of ${histogramList === '' ? 'no histogram (the spec turns them all off)' : histogramList} link a bucket to a trace. ` +
      'A measurement becomes an exemplar only inside a sampled span (filter `trace_based`), the stored exemplar marks its trace ' +
      `(at most the exemplar rule's \`tracesPerSecond\` traces a second, ${exemplarRate(policy)}; past it a slot keeps its older exemplar), ` +
      (spec.sampling === undefined
        ? 'and the spec has no sampling section: nothing samples traces away, in the service or at the collector, so every marked trace is exported.'
        : policy === undefined
          ? "the tail sampler's implicit `exemplar` rule keeps marked traces before any other policy, but the collector's gateway has no exemplar rule: " +
            "**at the gateway this invariant is not enforced** until the spec's sampling policies list `{ kind: 'exemplar' }`."
          : `the \`${policy.name}\` sampling policy keeps marked traces before any budget applies, and the collector's gateway keeps spans with \`${EXEMPLAR_ATTRIBUTE}=true\` the same way.`),
    metrics: [
      cite(sdk.samplerDecisions, policyMatcher, 'traces the SDK kept because an exemplar points at them'),
      cite(otelcol.tailSamplingTracesSampled, policyMatcher, 'the same decision at the collector gateway'),
      cite(
        sdk.samplerEvictions,
        [],
        'traces decided early because the sampler buffer was full (their late spans may be lost)',
      ),
      ...buckets
        .slice(0, 1)
        .map((bucket) =>
          cite(bucket, [], 'the buckets whose exemplars link to traces (OpenMetrics exposition)'),
        ),
    ],
    related: [PIPELINE_ANCHORS.exporterFailures],
    panels,
    firstSteps: [
      'Click exemplars in the slow buckets of the heatmap. A "trace not found" is the breach: note its trace_id.',
      'Check `OTEL_METRICS_EXEMPLAR_FILTER` on the instance: `always_on` makes exemplars from unsampled spans and breaks this promise by design.',
      'Check the sampler evictions and the exporter failures: a kept trace can still be lost on its way to the trace store.',
    ],
  };
}

function telemetryFailureInvariant(
  spec: TelemetrySpec,
  monitors: Monitors,
  cite: Cite,
  slos: readonly SloModel[],
): Draft {
  const latency = slos.filter((slo) => slo.sli.kind === 'latency');
  const metrics: MetricRef[] = [
    cite(sdk.samplerEvictions, [], 'traces the SDK gave up buffering instead of waiting for room'),
    cite(
      sdkSeries.metricsDropped,
      [],
      'measurements the SDK ignored (unknown instrument, invalid value) instead of throwing',
    ),
    cite(
      otelcol.exporterEnqueueFailedSpans,
      [],
      'spans the collector dropped because its sending queue was full',
    ),
    cite(
      otelcol.receiverRefusedSpans,
      [],
      'spans the collector refused (the SDK drops them after its retries)',
    ),
  ];
  const panels: PanelRef[] = [
    monitors.panel({ dashboard: 'pipeline', metric: sdk.samplerEvictions }),
    monitors.panel({ dashboard: 'pipeline', metric: otelcol.exporterSendFailedSpans }),
  ];
  for (const slo of latency.slice(0, 1)) {
    const base = histogramBase(spec, (slo.sli as { histogram: string }).histogram, `slos.${slo.name}`);
    metrics.push(cite(`${base}_bucket`, [], 'request latency: what must not move when telemetry fails'));
    panels.push(monitors.panel({ dashboard: 'overview', metric: `${base}_bucket`, type: 'timeseries' }));
  }
  return {
    anchor: SERVICE_ANCHORS.telemetryFailure,
    title: 'Telemetry failure never blocks requests',
    promise:
      'No request waits on telemetry. Log lines go to an asynchronous destination that drops (and counts) what it cannot take; ' +
      'spans and metric batches leave from bounded queues in the background with explicit export timeouts; the tail sampler ' +
      'buffer is capped; the SDK never throws into the service. A collector, trace store or Prometheus that is down, slow or ' +
      'refusing costs telemetry, never requests.',
    metrics,
    related: [
      PIPELINE_ANCHORS.exporterFailures,
      PIPELINE_ANCHORS.sendingQueue,
      PIPELINE_ANCHORS.refusedSpans,
      ...latency.map((slo) => sloAnchor(slo.name)),
    ],
    panels,
    firstSteps: [
      'Pipeline alerts firing while the latency SLO holds: the promise holds. Fix the pipeline; leave the service alone.',
      'Pipeline alerts and latency burn together: take one instance off the collector (unset `OTEL_EXPORTER_OTLP_ENDPOINT`, restart it) and compare its p99 with the others. If it recovers, telemetry is blocking requests: that is a bug, file it with both p99 curves.',
      'The in-process tail sampler can be switched off without a deploy (see [feature flags](#feature-flags)) if its buffer is the suspect.',
    ],
  };
}

function pipelineInvariants(options: ResolvedInvariantsDocOptions, monitors: Monitors, cite: Cite): Draft[] {
  return [
    {
      anchor: PIPELINE_ANCHORS.exporterFailures,
      title: 'The telemetry pipeline delivers: exporters send',
      promise:
        "Spans and log records that reach a collector leave it: each exporter's failures (after its retries) stay under the alert's share of what it sends.",
      metrics: [
        cite(otelcol.exporterSentSpans, [], 'spans delivered, by exporter'),
        cite(otelcol.exporterSendFailedSpans, [], 'spans lost after retries'),
        cite(otelcol.exporterSentLogRecords, [], 'log records delivered'),
        cite(otelcol.exporterSendFailedLogRecords, [], 'log records lost after retries'),
      ],
      related: [],
      panels: [
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.exporterSendFailedSpans }),
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.exporterSendFailedLogRecords }),
      ],
      firstSteps: [
        'Find the exporter in the alert labels; check that its backend (`PLUMBLINE_TRACE_BACKEND_ENDPOINT` for the gateway) is up and reachable from the collector.',
        "Read the collector's log for the export error: TLS (an expired or rotated certificate), auth, or a timeout.",
        'Watch the sending queue: it buys time while the backend recovers; when it is full, data is dropped.',
      ],
    },
    {
      anchor: PIPELINE_ANCHORS.sendingQueue,
      title: 'The telemetry pipeline delivers: sending queues have room',
      promise:
        "Each exporter's sending queue stays below the alert's share of its capacity, so a slow backend delays telemetry instead of dropping it.",
      metrics: [
        cite(otelcol.exporterQueueSize, [], 'items (spans, log records, metric points) waiting, by exporter'),
        cite(otelcol.exporterQueueCapacity, [], 'queue capacity'),
        cite(otelcol.exporterEnqueueFailedSpans, [], 'spans dropped because the queue was full'),
      ],
      related: [PIPELINE_ANCHORS.exporterFailures],
      panels: [
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.exporterQueueSize, type: 'stat' }),
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.exporterQueueCapacity, type: 'timeseries' }),
      ],
      firstSteps: [
        'A filling queue with export failures: the backend is down or slow; follow [exporters send](#' +
          PIPELINE_ANCHORS.exporterFailures +
          ').',
        'A filling queue without failures: the backend is slower than the traffic. Add a gateway (regenerate with `--gateways N`: a deploy) or lower the sampling budget.',
      ],
    },
    {
      anchor: PIPELINE_ANCHORS.refusedSpans,
      title: 'The telemetry pipeline delivers: receivers accept spans',
      promise:
        "Collectors accept the spans the services send: refusals (the memory limiter's backpressure) stay at zero outside short spikes.",
      metrics: [
        cite(otelcol.receiverRefusedSpans, [], 'spans refused, by receiver'),
        cite(otelcol.receiverAcceptedSpans, [], 'spans accepted'),
        cite(otelcol.processorRefusedSpans, [], 'refusals by the memory limiter'),
      ],
      related: [],
      panels: [
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.receiverRefusedSpans }),
        monitors.panel({ dashboard: 'pipeline', metric: otelcol.processorRefusedSpans }),
      ],
      firstSteps: [
        "Memory limiter refusals: the collector is over its soft limit. Check its memory and the tail sampler's traces in flight; add a gateway.",
        'Refusals without memory limiter refusals: a full pipeline downstream; check the sending queues.',
      ],
    },
    {
      anchor: PIPELINE_ANCHORS.schemaViolations,
      title: 'Schema violations stay rare',
      promise:
        "Log lines match their event's schema in the telemetry spec. A line that breaks it is still written (marked) and counted; a burst means a change logs an event with other fields than the spec says.",
      metrics: [cite(sdk.logSchemaViolations, [], 'lines that broke their schema, by event and reason')],
      related: [],
      panels: [monitors.panel({ dashboard: 'pipeline', metric: sdk.logSchemaViolations })],
      firstSteps: [
        "Read the event and reason labels; compare the last deploy's call sites of that event with its fields in the spec.",
        'Queries and alerts on that event may now miss lines: roll back if one of them matters, else fix the call site or the spec (and bump `schemaVersion`).',
      ],
    },
    {
      anchor: PIPELINE_ANCHORS.scrapeTargetDown,
      title: 'Targets are scraped',
      promise:
        'Prometheus scrapes every service instance and collector: without it the burn-rate alerts and every metric above are blind.',
      metrics: [cite(scrapeUpMetric, [], '1 when the last scrape of a target succeeded')],
      related: [],
      panels: [monitors.panel({ dashboard: 'overview', metric: scrapeUpMetric })],
      firstSteps: [
        `Is the process up?${options.healthCheck === undefined ? '' : ` Ask ${options.healthCheck}.`} If it is down, restart it and look for why (OOM, crash) in its log.`,
        'If it is up, the scrape path is broken: address, port, TLS or firewall between Prometheus and the target.',
        `While instances are down their SLOs are measured on the rest; with every instance down, \`${ABSENT_ALERT}\` fires after ${ABSENT_FOR}.`,
      ],
    },
  ];
}
