// The exposition: Prometheus text 0.0.4 and OpenMetrics 1.0 from the same state, the one `le`
// spelling shared with the rule generator, escaping, the exemplar label limit, the handler.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMetrics,
  EXEMPLAR_LABEL_LIMIT,
  metricsRequestHandler,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/metrics/index.js';
import { resolveBoundaries } from '../../src/spec/buckets.js';
import { formatPrometheusFloat } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { setupTracing, type Tracing } from './tracing.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing();
});
afterAll(() => tracing.close());

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

const spec = {
  service: { name: 'svc' },
  events: {},
  histograms: {
    'rpc.duration': {
      description: 'RPC "duration"\nin seconds \\ wall clock.',
      unit: 's',
      attributes: ['rpc.method'],
      buckets: { fromSlos: { min: 0.01, max: 10 } },
    },
  },
  counters: { 'http.requests': { description: 'Requests.', attributes: ['outcome'] } },
  gauges: { 'pool.size': { description: 'Pool size.', unit: '{connection}' } },
  slos: {
    'rpc-fast': {
      description: 'fast',
      objective: 99,
      sli: { kind: 'latency', histogram: 'rpc.duration', threshold: 1 },
    },
    'rpc-ok': {
      description: 'ok',
      objective: 99.9,
      sli: { kind: 'latency', histogram: 'rpc.duration', threshold: 0.3 },
    },
    'rpc-tail': {
      description: 'tail',
      objective: 99.9,
      sli: { kind: 'latency', histogram: 'rpc.duration', threshold: 5e-7 },
    },
  },
} as const satisfies TelemetrySpec;

describe('exposition', () => {
  it('spells every SLO threshold in `le` exactly as formatPrometheusFloat (the rule generator) does', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.histogram('rpc.duration').record(0.2, { 'rpc.method': 'Get' });
    for (const accept of [undefined, OPENMETRICS_ACCEPT]) {
      const les = [
        ...metrics.serialize(accept).body.matchAll(/^rpc_duration_seconds_bucket\{[^}]*le="([^"]+)"\}/gm),
      ].map((m) => m[1]);
      expect(les).toEqual([...resolveBoundaries(spec, 'rpc.duration'), Infinity].map(formatPrometheusFloat));
      for (const threshold of [1, 0.3, 5e-7]) expect(les).toContain(formatPrometheusFloat(threshold));
      expect(les).toContain('1.0');
      expect(les).toContain('5e-07');
      expect(les).not.toContain('1');
    }
  });

  it('writes Prometheus text 0.0.4 by default: HELP/TYPE, escaped labels, _total counters, no exemplars or EOF', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_on', now: () => 1_700_000_000_000 });
    metrics.counter('http.requests').add(2, { outcome: 'a "quoted"\nback\\slash' });
    metrics.gauge('pool.size').set(-3);
    const { contentType, body } = metrics.serialize();
    expect(contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(body).toContain(
      '# HELP rpc_duration_seconds RPC "duration"\\nin seconds \\\\ wall clock.\n# TYPE rpc_duration_seconds histogram\n',
    );
    expect(body).toContain(
      '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{outcome="a \\"quoted\\"\\nback\\\\slash"} 2\n',
    );
    expect(body).toContain('# TYPE pool_size gauge\npool_size -3\n');
    expect(body).not.toContain('# EOF');
    expect(body).not.toContain('_created');
    expect(body).not.toContain(' # {');
    expect(body).not.toContain('# UNIT');
  });

  it('writes non-ASCII label values as UTF-8 text in both formats, and whole counts as digits', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const histogram = metrics.histogram('rpc.duration');
    for (let i = 0; i < 1234; i++) histogram.record(0.02, { 'rpc.method': 'Grüße/😀' });
    histogram.record(0.5, { 'rpc.method': 'plain' });
    for (const accept of [undefined, OPENMETRICS_ACCEPT]) {
      const { body } = metrics.serialize(accept);
      expect(body).toMatch(/rpc_duration_seconds_bucket\{rpc_method="Grüße\/😀",le="\+Inf"\} 1234\n/);
      expect(body).toContain('rpc_duration_seconds_count{rpc_method="Grüße/😀"} 1234\n');
      expect(body).toMatch(/rpc_duration_seconds_sum\{rpc_method="Grüße\/😀"\} 24\.6\d*\n/);
      expect(body).toContain('rpc_duration_seconds_count{rpc_method="plain"} 1\n');
      expect(Buffer.from(body, 'utf8').toString('utf8')).toBe(body);
    }
  });

  it('writes OpenMetrics 1.0 when asked: UNIT, _created, exemplars on bucket and _total lines, EOF', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based', now: () => 1_700_000_000_250 });
    const span = tracing.inSpan((s) => {
      metrics.histogram('rpc.duration').record(0.7, { 'rpc.method': 'Get' });
      metrics.counter('http.requests').add(1, { outcome: 'ok' });
      return s.spanContext();
    });
    const { contentType, body } = metrics.serialize(OPENMETRICS_ACCEPT);
    expect(contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    const exemplar = `# {trace_id="${span.traceId}",span_id="${span.spanId}"}`;
    expect(body).toContain(
      '# TYPE rpc_duration_seconds histogram\n# UNIT rpc_duration_seconds seconds\n# HELP rpc_duration_seconds RPC \\"duration\\"\\nin seconds \\\\ wall clock.\n',
    );
    expect(body).toContain(
      `rpc_duration_seconds_bucket{rpc_method="Get",le="1.0"} 1 ${exemplar} 0.7 1700000000.25\n`,
    );
    expect(body).toContain(
      'rpc_duration_seconds_count{rpc_method="Get"} 1\nrpc_duration_seconds_created{rpc_method="Get"} 1700000000.25\n',
    );
    expect(body).toContain(
      `# TYPE http_requests counter\n# HELP http_requests Requests.\nhttp_requests_total{outcome="ok"} 1 ${exemplar} 1 1700000000.25\nhttp_requests_created{outcome="ok"} 1700000000.25\n`,
    );
    expect(body).toContain('# TYPE pool_size gauge\n');
    expect(body).not.toContain('# UNIT pool_size');
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body.match(/# EOF/g)).toHaveLength(1);
  });

  it('keeps filtered attributes on exemplars while the 128-code-point label limit allows, and counts the rest', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    const histogram = metrics.histogram('rpc.duration');
    // trace_id + span_id take 8+32+7+16 = 63 code points; "user"+"ü…" (4+30) fits, the next does not.
    tracing.inSpan(() =>
      histogram.record(0.7, { 'rpc.method': 'Get', user: 'ü'.repeat(30), 'tenant.name': 'x'.repeat(40) }),
    );
    const body = metrics.serialize(OPENMETRICS_ACCEPT).body;
    const line = body
      .split('\n')
      .find((l) => l.startsWith('rpc_duration_seconds_bucket{rpc_method="Get",le="1.0"}'))!;
    const labels = /# \{(.*)\}/.exec(line)![1]!;
    expect(labels).toContain(`user="${'ü'.repeat(30)}"`);
    expect(labels).not.toContain('tenant');
    expect(labels).not.toContain('rpc_method');
    const pairs = [...labels.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)];
    expect(
      pairs.reduce((sum, [, name, value]) => sum + [...name!].length + [...value!].length, 0),
    ).toBeLessThanOrEqual(EXEMPLAR_LABEL_LIMIT);
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="rpc.duration"} 1\n');
    // The text format carries no exemplars, so nothing is dropped there.
    expect(metrics.serialize().body).toContain(
      'plumbline_exemplar_attributes_dropped_total{metric="rpc.duration"} 1\n',
    );
  });

  it('exposes self counters and gauges verbatim, and never lets a failing gauge callback break a scrape', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const violations = metrics.selfCounter(
      'plumbline_log_schema_violations_total',
      'Log lines that broke their schema.',
      ['event', 'kind'],
    );
    violations.add(2, { event: 'order.placed', kind: 'missing_field' });
    violations.add(1, { event: 'order.placed', kind: 'missing_field' });
    metrics.selfGauge('plumbline_slo_burn_rate', 'Burn rate.', ['slo', 'window'], () => [
      { labels: { slo: 'rpc-fast', window: '5m' }, value: 14.4 },
    ]);
    metrics.selfGauge('plumbline_broken', 'Throws.', [], () => {
      throw new Error('boom');
    });
    const text = metrics.serialize().body;
    expect(text).toContain(
      '# TYPE plumbline_log_schema_violations_total counter\nplumbline_log_schema_violations_total{event="order.placed",kind="missing_field"} 3\n',
    );
    expect(text).toContain('plumbline_slo_burn_rate{slo="rpc-fast",window="5m"} 14.4\n');
    expect(text).not.toContain('plumbline_broken');
    const om = metrics.serialize(OPENMETRICS_ACCEPT).body;
    expect(om).toContain('# TYPE plumbline_log_schema_violations counter\n');
    expect(om).toContain(
      'plumbline_log_schema_violations_total{event="order.placed",kind="missing_field"} 3\n',
    );
  });

  it('serves GET /metrics over node:http with the negotiated content type', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.counter('http.requests').add(1, { outcome: 'ok' });
    const server = createServer(metricsRequestHandler(metrics)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      const text = await fetch(`${base}/metrics`);
      expect(text.status).toBe(200);
      expect(text.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(await text.text()).toContain('http_requests_total{outcome="ok"} 1\n');
      const om = await fetch(`${base}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
      expect(om.headers.get('content-type')).toBe(OPENMETRICS_CONTENT_TYPE);
      expect((await om.text()).endsWith('# EOF\n')).toBe(true);
      // The app routes; the handler serves whatever path it is handed (regression
      // metrics-handler-404-on-another-path).
      expect((await fetch(`${base}/plumbline/metrics`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      server.close();
    }
  });
});
