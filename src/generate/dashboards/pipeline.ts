// The telemetry pipeline dashboard: the collector's own metrics (receivers, exporters, sending
// queue, tail sampling, memory limiter) and the plumbline SDK's self-metrics. The collector panels
// filter by $collector_job/$collector_instance, the SDK panels by the service's $job/$instance.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { TelemetrySpec } from '../../spec/types.js';
import { collectorMetrics as otelcol, sdkSelfMetrics as sdk } from '../pipeline-series.js';
import type { DashboardIdentity, GeneratedDashboard, LintExclusion } from './options.js';
import { PanelLayout, statPanel, timeseriesPanel } from './panels.js';
import { COLLECTOR_SCOPE_MATCHERS, collectorSelector, scopedSelector, sumBy, sumRate } from './promql.js';
import { dashboardShell } from './shell.js';

const COLLECTOR_SCOPE_REASON =
  "Collector metrics are scoped by the collector_job and collector_instance variables: the collectors' scrape jobs are not the service's, so the service's job must not filter them.";

/** An SDK self-metric's rate: the service's series, scoped by $job and $instance. */
function rate(metric: string, by: readonly string[]): string {
  return sumRate(scopedSelector(metric), by);
}

/** A collector metric's rate, scoped by $collector_job and $collector_instance. */
function collectorRate(metric: string, by: readonly string[]): string {
  return sumRate(collectorSelector(metric), by);
}

/**
 * A fault counter's rate, 0 rather than nothing on a healthy collector: the collector creates
 * send_failed, enqueue_failed and the memory limiter's refused series at the first fault. The
 * fallback is the same component's `healthy` counter (sent, accepted: it exists once data flows)
 * times 0, so the 0 carries the component label and its legend.
 */
function faultRate(metric: string, healthy: string, by: readonly string[]): string {
  return `${collectorRate(metric, by)} or (${collectorRate(healthy, by)} * 0)`;
}

/** One series of a component panel: a counter, or a fault counter with its healthy companion. */
type ComponentSeries = string | { readonly fault: string; readonly healthy: string };

/**
 * One signal's rates per collector component (receiver or exporter), a series per outcome in
 * the order given, legends `<outcome> {{<component>}}`: the receivers and exporters rows show
 * one such panel per signal.
 */
function componentPanel(
  title: string,
  description: string,
  component: 'receiver' | 'exporter',
  seriesByOutcome: Readonly<Record<string, ComponentSeries>>,
): ReturnType<typeof timeseriesPanel> {
  return timeseriesPanel({
    title,
    description,
    unit: 'ops',
    min: 0,
    targets: Object.entries(seriesByOutcome).map(([outcome, series]) => ({
      expr:
        typeof series === 'string'
          ? collectorRate(series, [component])
          : faultRate(series.fault, series.healthy, [component]),
      legend: `${outcome} {{${component}}}`,
    })),
  });
}

export function pipelineDashboard(spec: TelemetrySpec, identity: DashboardIdentity): GeneratedDashboard {
  const title = `${spec.service.name}: telemetry pipeline`;
  const builder = dashboardShell({
    uid: identity.uid('pipeline'),
    title,
    description: `Health of the path from ${spec.service.name}'s SDK through the OpenTelemetry Collector to the backends.`,
    tags: identity.tags,
    scopeMetric: 'up',
    collectorScopeMetric: otelcol.processUptime,
    traces: false,
  });
  const layout = new PanelLayout(builder);

  layout.row('Collector receivers');
  layout.panel(
    componentPanel(
      'Spans accepted and refused by receiver',
      'Spans each receiver pushed into the pipeline, and spans it refused (backpressure, e.g. the memory limiter).',
      'receiver',
      { accepted: otelcol.receiverAcceptedSpans, refused: otelcol.receiverRefusedSpans },
    ),
    12,
  );
  layout.panel(
    componentPanel(
      'Log records accepted and refused by receiver',
      'Log records each receiver pushed into the pipeline, and log records it refused.',
      'receiver',
      { accepted: otelcol.receiverAcceptedLogRecords, refused: otelcol.receiverRefusedLogRecords },
    ),
    12,
  );

  layout.row('Collector exporters');
  layout.panel(
    componentPanel(
      'Spans sent and failed by exporter',
      'Spans each exporter delivered, failed to deliver after retries, or could not enqueue (queue full). Failures read 0 until the first one: the collector creates those series then.',
      'exporter',
      {
        sent: otelcol.exporterSentSpans,
        failed: { fault: otelcol.exporterSendFailedSpans, healthy: otelcol.exporterSentSpans },
        'enqueue failed': { fault: otelcol.exporterEnqueueFailedSpans, healthy: otelcol.exporterSentSpans },
      },
    ),
    8,
  );
  layout.panel(
    componentPanel(
      'Log records sent and failed by exporter',
      'Log records each exporter delivered or failed to deliver. Failures read 0 until the first one: the collector creates that series then.',
      'exporter',
      {
        sent: otelcol.exporterSentLogRecords,
        failed: { fault: otelcol.exporterSendFailedLogRecords, healthy: otelcol.exporterSentLogRecords },
      },
    ),
    8,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Sending queue size and capacity',
      description: 'Batches waiting in each exporter sending queue, against the queue capacity.',
      unit: 'short',
      min: 0,
      targets: [
        {
          expr: `${sumBy(['exporter'])} (${collectorSelector(otelcol.exporterQueueSize)})`,
          legend: 'size {{exporter}}',
        },
        {
          expr: `${sumBy(['exporter'])} (${collectorSelector(otelcol.exporterQueueCapacity)})`,
          legend: 'capacity {{exporter}}',
        },
      ],
    }),
    8,
  );
  layout.panel(
    statPanel({
      title: 'Sending queue fill',
      description: 'Fullest sending queue as a share of its capacity; at 100% new data is dropped.',
      unit: 'percentunit',
      decimals: 0,
      targets: [
        {
          expr: `max by (exporter) (${collectorSelector(otelcol.exporterQueueSize)} / ${collectorSelector(otelcol.exporterQueueCapacity)})`,
          legend: '{{exporter}}',
        },
      ],
      steps: [
        { value: null, color: 'green' },
        { value: 0.6, color: 'orange' },
        { value: 0.8, color: 'red' },
      ],
    }),
    24,
    4,
  );

  layout.row('Collector sampling and memory');
  layout.panel(
    timeseriesPanel({
      title: 'Tail-sampling decisions by policy',
      description:
        'Traces each tail-sampling policy decided on, split by whether the decision was to sample.',
      unit: 'ops',
      min: 0,
      targets: [
        {
          expr: collectorRate(otelcol.tailSamplingTracesSampled, ['policy', 'sampled']),
          legend: '{{policy}} sampled={{sampled}}',
        },
      ],
    }),
  );
  layout.panel(
    timeseriesPanel({
      title: 'Tail-sampling final decisions',
      description: 'Traces sampled or not by the processor as a whole (any policy).',
      unit: 'ops',
      min: 0,
      targets: [
        {
          expr: collectorRate(otelcol.tailSamplingGlobalTracesSampled, ['sampled']),
          legend: 'sampled={{sampled}}',
        },
      ],
    }),
  );
  layout.panel(
    timeseriesPanel({
      title: 'Memory limiter refusals',
      description:
        'Spans and log records the memory limiter processor refused because the collector was over its soft limit; 0 until the first refusal (the collector creates those series then).',
      unit: 'ops',
      min: 0,
      targets: [
        {
          expr: faultRate(otelcol.processorRefusedSpans, otelcol.processorAcceptedSpans, ['processor']),
          legend: 'spans {{processor}}',
        },
        {
          expr: faultRate(otelcol.processorRefusedLogRecords, otelcol.processorAcceptedLogRecords, [
            'processor',
          ]),
          legend: 'log records {{processor}}',
        },
      ],
    }),
  );

  layout.row('SDK self-metrics');
  layout.panel(
    timeseriesPanel({
      title: 'Log schema violations by event and reason',
      description:
        'Log lines that broke their event schema (missing field, wrong type, unknown event); each is still written, marked.',
      unit: 'ops',
      min: 0,
      targets: [{ expr: rate(sdk.logSchemaViolations, ['event', 'reason']), legend: '{{event}} {{reason}}' }],
    }),
    12,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Metric overflow by metric',
      description:
        'Measurements folded into the overflow series after an instrument reached its cardinality limit.',
      unit: 'ops',
      min: 0,
      targets: [{ expr: rate(sdk.metricOverflow, ['metric']), legend: '{{metric}}' }],
    }),
    12,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Tail-sampler decisions by policy and outcome',
      description: "The SDK tail sampler's decisions per policy.",
      unit: 'ops',
      min: 0,
      targets: [
        { expr: rate(sdk.samplerDecisions, ['policy', 'outcome']), legend: '{{policy}} {{outcome}}' },
      ],
    }),
    12,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Tail-sampler evictions',
      description:
        "Traces dropped from the SDK tail sampler's bounded buffer before a decision (buffer full).",
      unit: 'ops',
      min: 0,
      targets: [{ expr: rate(sdk.samplerEvictions, []), legend: 'evicted' }],
    }),
    12,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Tail-sampler keeps refused over a budget ceiling',
      description:
        "Traces a budget policy's threshold would keep, dropped because their key kept more than twice its allocation plus 10 per second: randomness a client chose (trace IDs or `ot=rv` all high). Zero while trace IDs are random.",
      unit: 'ops',
      min: 0,
      targets: [{ expr: rate(sdk.samplerBudgetCeilingDrops, ['policy']), legend: '{{policy}}' }],
    }),
    12,
  );
  layout.panel(
    timeseriesPanel({
      title: 'Log lines suppressed by event budget',
      description:
        "Event log lines left out by their event's rate budget (events.<event>.budget.linesPerSecond in the spec); the next written line of the event carries the count in `suppressed`. Only events with a budget have a series.",
      unit: 'ops',
      min: 0,
      targets: [{ expr: rate(sdk.logSuppressed, ['event']), legend: '{{event}}' }],
    }),
    12,
  );
  const dashboard = builder.build();
  return { dashboard, lintExclusions: collectorScopeExclusions(dashboard, title) };
}

/** dashboard-linter's job/instance rules skip the panels that read the collectors' metrics. */
function collectorScopeExclusions(dashboard: Dashboard, title: string): LintExclusion[] {
  const exclusions: LintExclusion[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (!('targets' in panel) || panel.title === undefined) continue;
    const exprs = (panel.targets ?? []).map((target) => (target as { expr?: unknown }).expr);
    if (!exprs.some((expr) => typeof expr === 'string' && expr.includes(COLLECTOR_SCOPE_MATCHERS))) continue;
    for (const rule of ['target-job-rule', 'target-instance-rule']) {
      exclusions.push({ rule, reason: COLLECTOR_SCOPE_REASON, dashboard: title, panel: panel.title });
    }
  }
  return exclusions;
}
