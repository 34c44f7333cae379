import { describe, expect, it } from 'vitest';
import { Deviations, MAX_DISTINCT_DEVIATIONS } from '../../src/check/deviations.js';
import type { LiveCheckReport } from '../../src/check/live-check.js';
import { formatReport } from '../../src/check/report.js';

const observed = {
  durationMs: 1500,
  scrapes: 2,
  scrapeFailures: 0,
  metricFamilies: 4,
  logLines: 10,
  otlpRequests: 3,
  spans: 5,
  logRecords: 10,
  metricPoints: 7,
};

const noneNotSpec = {
  notSpecMetrics: [],
  droppedNotSpecMetrics: 0,
  notSpecLogRecords: [],
  droppedNotSpecLogRecords: 0,
  undeclaredAttributes: [],
};
const noLogRecords = { notSpecLogRecords: [], droppedNotSpecLogRecords: 0, undeclaredAttributes: [] };

describe('Deviations', () => {
  it('folds repeats into one entry with a count, sorted by kind then subject', () => {
    const deviations = new Deviations();
    deviations.add('sensitive-unredacted', 'b.card', 'logs', 'in clear');
    deviations.add('undeclared-metric', 'z_total', 'metrics', 'not in the spec');
    deviations.add('sensitive-unredacted', 'a.card', 'logs', 'in clear');
    deviations.add('sensitive-unredacted', 'b.card', 'logs', 'in clear again');
    expect(deviations.list().map((d) => [d.kind, d.subject, d.count, d.detail])).toEqual([
      ['undeclared-metric', 'z_total', 1, 'not in the spec'],
      ['sensitive-unredacted', 'a.card', 1, 'in clear'],
      ['sensitive-unredacted', 'b.card', 2, 'in clear'],
    ]);
  });

  it('keeps at most MAX_DISTINCT_DEVIATIONS and counts the rest', () => {
    const deviations = new Deviations();
    for (let i = 0; i < MAX_DISTINCT_DEVIATIONS + 5; i++)
      deviations.add('undeclared-event', `e${i}`, 'logs', 'x');
    deviations.add('undeclared-event', 'e0', 'logs', 'x');
    expect(deviations.list()).toHaveLength(MAX_DISTINCT_DEVIATIONS);
    expect(deviations.dropped).toBe(5);
    expect(deviations.list().find((d) => d.subject === 'e0')!.count).toBe(2);
  });
});

describe('formatReport', () => {
  it('says what was observed and that nothing deviates', () => {
    expect(formatReport({ ok: true, deviations: [], droppedDeviations: 0, ...noneNotSpec, observed })).toBe(
      'observed 1.5 s: 2 scrapes (0 failed, 4 families), 10 log lines, 3 OTLP requests (5 spans, 10 log records, 7 metric points)\n' +
        'no deviation: the telemetry matches the spec\n',
    );
  });

  it('prints one aligned row per deviation and the count of those left out', () => {
    const report: LiveCheckReport = {
      ok: false,
      droppedDeviations: 3,
      ...noneNotSpec,
      observed,
      deviations: [
        { kind: 'bucket-mismatch', subject: 'h', source: 'metrics', detail: 'boundaries 1.0', count: 2 },
        {
          kind: 'undeclared-attribute',
          subject: 'http.server.request.duration tenant',
          source: 'otlp-metrics',
          detail: 'attribute tenant is not declared',
          count: 12,
        },
      ],
    };
    expect(formatReport(report).split('\n').slice(1)).toEqual([
      '2 deviations:',
      'KIND                  SUBJECT                              SOURCE        COUNT  DETAIL',
      'bucket-mismatch       h                                    metrics       2      boundaries 1.0',
      'undeclared-attribute  http.server.request.duration tenant  otlp-metrics  12     attribute tenant is not declared',
      '… and 3 more distinct deviations not listed',
      '',
    ]);
  });

  it("lists the metrics that are not the spec's after the deviations, and under no deviation", () => {
    const notSpecMetrics = [
      {
        name: 'http.client.request.duration',
        source: 'otlp-metrics' as const,
        reason: 'instrumentation scope @opentelemetry/instrumentation-http',
        count: 3,
      },
      {
        name: 'v8js_memory_heap_used_bytes',
        source: 'metrics' as const,
        reason: 'allowed prefix v8js_',
        count: 12,
      },
    ];
    const lines = formatReport({
      ok: true,
      deviations: [],
      droppedDeviations: 0,
      notSpecMetrics,
      droppedNotSpecMetrics: 0,
      ...noLogRecords,
      observed,
    }).split('\n');
    expect(lines.slice(1)).toEqual([
      'no deviation: the telemetry matches the spec',
      "2 metrics not the spec's, not checked:",
      'METRIC                        SOURCE        COUNT  REASON',
      'http.client.request.duration  otlp-metrics  3      instrumentation scope @opentelemetry/instrumentation-http',
      'v8js_memory_heap_used_bytes   metrics       12     allowed prefix v8js_',
      '',
    ]);
    const failing = formatReport({
      ok: false,
      deviations: [
        {
          kind: 'undeclared-metric',
          subject: 'shop_refunds',
          source: 'metrics',
          detail: 'type counter, not in the spec',
          count: 2,
        },
      ],
      droppedDeviations: 0,
      notSpecMetrics: notSpecMetrics.slice(0, 1),
      droppedNotSpecMetrics: 4,
      ...noLogRecords,
      observed,
    });
    expect(failing.split('\n').slice(1)).toEqual([
      '1 deviation:',
      'KIND               SUBJECT       SOURCE   COUNT  DETAIL',
      'undeclared-metric  shop_refunds  metrics  2      type counter, not in the spec',
      "1 metric not the spec's, not checked:",
      'METRIC                        SOURCE        COUNT  REASON',
      'http.client.request.duration  otlp-metrics  3      instrumentation scope @opentelemetry/instrumentation-http',
      "… and 4 more metrics not the spec's not listed",
      '',
    ]);
  });

  it("lists the log records that are not the spec's by scope, after the metrics", () => {
    const lines = formatReport({
      ok: true,
      deviations: [],
      droppedDeviations: 0,
      notSpecMetrics: [],
      droppedNotSpecMetrics: 0,
      notSpecLogRecords: [
        { scope: '@opentelemetry/instrumentation-pino', count: 166 },
        { scope: 'shop-audit', count: 1 },
      ],
      droppedNotSpecLogRecords: 2,
      undeclaredAttributes: [],
      observed,
    }).split('\n');
    expect(lines.slice(1)).toEqual([
      'no deviation: the telemetry matches the spec',
      "167 log records not the spec's (not plumbline's event logger), not checked as events:",
      'LOG SCOPE                            RECORDS',
      '@opentelemetry/instrumentation-pino  166',
      'shop-audit                           1',
      "… and 2 more log records not the spec's, of scopes not listed",
      '',
    ]);
  });

  it('lists the attributes recorded that no instrument declares, last, and fails nothing', () => {
    const lines = formatReport({
      ok: true,
      deviations: [],
      droppedDeviations: 0,
      ...noneNotSpec,
      undeclaredAttributes: [
        { metric: 'shop.request.duration', attribute: 'route', series: 4 },
        { metric: 'shop.orders', attribute: 'customer_id', series: 12 },
      ],
      observed,
    }).split('\n');
    expect(lines.slice(1)).toEqual([
      'no deviation: the telemetry matches the spec',
      '2 attributes recorded that the instrument does not declare (no label, kept on exemplars only; declare it in the spec or fix its name):',
      'METRIC                 ATTRIBUTE    SERIES',
      'shop.request.duration  route        4',
      'shop.orders            customer_id  12',
      '',
    ]);
  });
});
