// Prometheus alert rules for the health of the telemetry pipeline itself: collector exporters
// failing, sending queues filling, receivers refusing data, a spike of log schema violations,
// scrape targets down. Pure: options in, rule-file text out (alerts/pipeline.rules.yaml).
import { stringify } from 'yaml';
import { writeArtifactFiles } from '../artifact-files.js';
import { collectorMetrics as otelcol, sdkSelfMetrics as sdk, scrapeUpMetric } from '../pipeline-series.js';
import { promString, regexAlternation } from '../../spec/promql.js';
import { DEFAULT_RUNBOOK_BASE, checkRunbookBase } from './text.js';

export interface PipelineAlertOptions {
  /** Prefix of every runbook_url: an http(s) URL ending in '/', or '' (default) for links relative to docs/. */
  readonly runbookBaseUrl?: string;
  /** Only these scrape jobs count for "target down". Default: every job. */
  readonly scrapeJobs?: readonly string[];
  /** Share of exported spans/log records failing that fires. Default 0.05. */
  readonly exporterFailureRatio?: number;
  /** Sending queue fill (size / capacity) that fires. Default 0.8. */
  readonly queueFillRatio?: number;
  /** Schema violations per event within 10 minutes that fire. Default 10. */
  readonly schemaViolationsPer10m?: number;
}

export interface PipelineAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'page' | 'ticket' };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export const PIPELINE_RULES_FILE = 'pipeline.rules.yaml';

function checkRatio(field: string, value: number): number {
  if (!(value > 0 && value <= 1))
    throw new Error(`pipeline alerts option ${field}: expected a ratio in (0, 1], got ${value}`);
  return value;
}

/** A ratio as a percentage for prose, without float dust (0.29 is 29, not 28.999999999999996). */
function percent(ratio: number): string {
  return String(Number((ratio * 100).toPrecision(12)));
}

/** The rules, in file order. Each runbook_url points at docs/invariants.md#<anchor>. */
export function pipelineAlertRules(options: PipelineAlertOptions = {}): PipelineAlertRule[] {
  const base = checkRunbookBase(
    'pipeline alerts option runbookBaseUrl',
    options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE,
  );
  const failureRatio = checkRatio('exporterFailureRatio', options.exporterFailureRatio ?? 0.05);
  const queueFill = checkRatio('queueFillRatio', options.queueFillRatio ?? 0.8);
  const violations = options.schemaViolationsPer10m ?? 10;
  if (!(Number.isFinite(violations) && violations >= 0)) {
    throw new Error(
      `pipeline alerts option schemaViolationsPer10m: expected a number >= 0, got ${violations}`,
    );
  }
  const jobs = options.scrapeJobs ?? [];
  if (jobs.some((job) => job === ''))
    throw new Error('pipeline alerts option scrapeJobs: job names must be non-empty');
  const runbook = (anchor: string): string => `${base}docs/invariants.md#${anchor}`;

  const exporterFailing = (sent: string, failed: string): string =>
    `sum by (job, instance, exporter) (rate(${failed}[5m]))\n` +
    `  / (sum by (job, instance, exporter) (rate(${sent}[5m])) + sum by (job, instance, exporter) (rate(${failed}[5m])))\n` +
    `  > ${failureRatio}`;

  return [
    {
      alert: 'PlumblineCollectorExporterFailingSpans',
      expr: exporterFailing(otelcol.exporterSentSpans, otelcol.exporterSendFailedSpans),
      for: '5m',
      labels: { severity: 'page' },
      annotations: {
        summary: 'Collector exporter {{ $labels.exporter }} is failing to send spans',
        description:
          '{{ $value | humanizePercentage }} of the spans exporter {{ $labels.exporter }} on {{ $labels.instance }} tried to send in the last 5m failed after retries; those spans did not reach (all of) their destination. The load_balancing exporter counts a whole batch as failed when any one gateway refuses its part, so otelcol_loadbalancer_backend_outcome tells which gateway failed.',
        runbook_url: runbook('collector-exporter-failures'),
      },
    },
    {
      alert: 'PlumblineCollectorExporterFailingLogRecords',
      expr: exporterFailing(otelcol.exporterSentLogRecords, otelcol.exporterSendFailedLogRecords),
      for: '5m',
      labels: { severity: 'page' },
      annotations: {
        summary: 'Collector exporter {{ $labels.exporter }} is failing to send log records',
        description:
          '{{ $value | humanizePercentage }} of the log records exporter {{ $labels.exporter }} on {{ $labels.instance }} tried to send in the last 5m failed after retries; those log records did not reach (all of) their destination. The load_balancing exporter counts a whole batch as failed when any one gateway refuses its part, so otelcol_loadbalancer_backend_outcome tells which gateway failed.',
        runbook_url: runbook('collector-exporter-failures'),
      },
    },
    {
      alert: 'PlumblineCollectorSendingQueueNearCapacity',
      expr:
        `max by (job, instance, exporter) (${otelcol.exporterQueueSize} / ${otelcol.exporterQueueCapacity})\n` +
        `  > ${queueFill}`,
      for: '5m',
      labels: { severity: 'ticket' },
      annotations: {
        summary:
          'Collector sending queue of {{ $labels.exporter }} is {{ $value | humanizePercentage }} full',
        description:
          'The sending queue of exporter {{ $labels.exporter }} on {{ $labels.instance }} has been above ' +
          `${percent(queueFill)}% of its capacity for 5m; when it is full new data is dropped (enqueue_failed).`,
        runbook_url: runbook('collector-sending-queue-full'),
      },
    },
    {
      alert: 'PlumblineCollectorRefusingSpans',
      expr: `sum by (job, instance, receiver) (rate(${otelcol.receiverRefusedSpans}[5m])) > 0`,
      for: '5m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: 'Collector receiver {{ $labels.receiver }} is refusing spans',
        description:
          'Receiver {{ $labels.receiver }} on {{ $labels.instance }} has refused {{ $value | humanize }} spans/s for 5m (backpressure from the memory limiter or a full pipeline); clients retry or drop them.',
        runbook_url: runbook('collector-refused-spans'),
      },
    },
    {
      alert: 'PlumblineLogSchemaViolationSpike',
      expr: `sum by (job, event) (increase(${sdk.logSchemaViolations}[10m])) > ${violations}`,
      for: '0m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: 'Log schema violations for event {{ $labels.event }} in {{ $labels.job }}',
        description:
          '{{ $value | humanize }} log lines of event {{ $labels.event }} broke their schema in the last 10m ' +
          `(more than ${violations}); a deploy likely changed the fields this event is logged with.`,
        runbook_url: runbook('schema-violations'),
      },
    },
    {
      alert: 'PlumblineScrapeTargetDown',
      expr:
        jobs.length === 0
          ? `${scrapeUpMetric} == 0`
          : `${scrapeUpMetric}{job=~${promString(regexAlternation(jobs))}} == 0`,
      for: '2m',
      labels: { severity: 'page' },
      annotations: {
        summary: 'Scrape target {{ $labels.instance }} of job {{ $labels.job }} is down',
        description:
          'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 2m: its metrics, burn rates and these alerts are blind.',
        runbook_url: runbook('scrape-target-down'),
      },
    },
  ];
}

/** The rule file text: one group, deterministic order and spelling, trailing newline. */
export function renderPipelineAlerts(options: PipelineAlertOptions = {}): string {
  const rules = pipelineAlertRules(options).map((rule) => ({
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    labels: { ...rule.labels },
    annotations: { ...rule.annotations },
  }));
  return (
    '# Generated by `plumbline generate alerts`: health of the telemetry pipeline. Do not edit.\n' +
    stringify({ groups: [{ name: 'plumbline-pipeline', rules }] }, { lineWidth: 0 })
  );
}

/** Writes the rule file under outDir (alerts/) and returns its path. */
export async function writePipelineAlerts(
  outDir: string,
  options: PipelineAlertOptions = {},
): Promise<string[]> {
  return writeArtifactFiles(outDir, { [PIPELINE_RULES_FILE]: renderPipelineAlerts(options) });
}
