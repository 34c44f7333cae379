// The telemetry pipeline dashboard: the collector's own metrics (receivers, exporters, sending
// queue, tail sampling, memory limiter) and the plumbline SDK's self-metrics.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { TelemetrySpec } from '../../spec/types.js';
import { collectorMetrics as otelcol, sdkSelfMetrics as sdk } from '../pipeline-series.js';
import type { DashboardIdentity } from './options.js';
import { PanelLayout, statPanel, timeseriesPanel } from './panels.js';
import { scopedSelector, sumBy, sumRate } from './promql.js';
import { dashboardShell } from './shell.js';

function rate(metric: string, by: readonly string[]): string {
  return sumRate(scopedSelector(metric), by);
}

/**
 * One signal's rates per collector component (receiver or exporter), a series per outcome in
 * the order given, legends `<outcome> {{<component>}}`: the receivers and exporters rows show
 * one such panel per signal.
 */
function componentPanel(
  title: string,
  description: string,
  component: 'receiver' | 'exporter',
  metricByOutcome: Readonly<Record<string, string>>,
): ReturnType<typeof timeseriesPanel> {
  return timeseriesPanel({
    title,
    description,
    unit: 'ops',
    min: 0,
    targets: Object.entries(metricByOutcome).map(([outcome, metric]) => ({
      expr: rate(metric, [component]),
      legend: `${outcome} {{${component}}}`,
    })),
  });
}

export function pipelineDashboard(spec: TelemetrySpec, identity: DashboardIdentity): Dashboard {
  const builder = dashboardShell({
    uid: identity.uid('pipeline'),
    title: `${spec.service.name}: telemetry pipeline`,
    description: `Health of the path from ${spec.service.name}'s SDK through the OpenTelemetry Collector to the backends.`,
    tags: identity.tags,
    scopeMetric: 'up',
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
      'Spans each exporter delivered, failed to deliver after retries, or could not enqueue (queue full).',
      'exporter',
      {
        sent: otelcol.exporterSentSpans,
        failed: otelcol.exporterSendFailedSpans,
        'enqueue failed': otelcol.exporterEnqueueFailedSpans,
      },
    ),
    8,
  );
  layout.panel(
    componentPanel(
      'Log records sent and failed by exporter',
      'Log records each exporter delivered or failed to deliver.',
      'exporter',
      { sent: otelcol.exporterSentLogRecords, failed: otelcol.exporterSendFailedLogRecords },
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
          expr: `${sumBy(['exporter'])} (${scopedSelector(otelcol.exporterQueueSize)})`,
          legend: 'size {{exporter}}',
        },
        {
          expr: `${sumBy(['exporter'])} (${scopedSelector(otelcol.exporterQueueCapacity)})`,
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
          expr: `max by (exporter) (${scopedSelector(otelcol.exporterQueueSize)} / ${scopedSelector(otelcol.exporterQueueCapacity)})`,
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
          expr: rate(otelcol.tailSamplingTracesSampled, ['policy', 'sampled']),
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
        { expr: rate(otelcol.tailSamplingGlobalTracesSampled, ['sampled']), legend: 'sampled={{sampled}}' },
      ],
    }),
  );
  layout.panel(
    timeseriesPanel({
      title: 'Memory limiter refusals',
      description:
        'Spans and log records the memory limiter processor refused because the collector was over its soft limit.',
      unit: 'ops',
      min: 0,
      targets: [
        { expr: rate(otelcol.processorRefusedSpans, ['processor']), legend: 'spans {{processor}}' },
        {
          expr: rate(otelcol.processorRefusedLogRecords, ['processor']),
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
  return builder.build();
}
