// Regression (sampling review): the sampler reads a latency policy's route (since e701791) and a
// budget's key (since 8b07623) on any span of the trace, as the collector's string_attribute does.
// `plumbline check live` looked for them on the local root span (and, since f5ea7d8, its resource)
// and reported `sampling-key-missing` for a root whose child span carried the route or the key: a
// false deviation, since the sampler holds that trace to the route's threshold and counts it under
// the key. The check now takes a span of the same trace and service carrying it as carried,
// whether it is exported before the root (the usual order: children end first) or after it (the
// deviation is taken back). Real parts: the check's OTLP receiver over HTTP fed OTLP/JSON, and
// the in-process tail sampler behind a real tracer provider.
import { describe, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { SPAN_KIND_SERVER } from '../../src/check/otlp-decode.js';
import { defineTelemetry } from '../../src/index.js';
import { keptInProcess } from '../support/collector-trace-probe.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: {
    policies: [
      { name: 'slow', kind: 'latency', thresholdMs: 500, routes: { '/health': 50 } },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'tenant' },
    ],
  },
});
const TRACE = '5b8efff798038103d269b633813fc60c';
const OTHER_TRACE = '6c9f00a8a9149214e37ac744924fd71d';

interface Span {
  readonly trace?: string;
  readonly id: string;
  readonly parent?: string;
  readonly attributes?: Record<string, string>;
}
const otlpSpan = ({ trace = TRACE, id, parent, attributes = {} }: Span) => ({
  traceId: trace,
  spanId: id,
  ...(parent === undefined ? {} : { parentSpanId: parent, flags: 0x101 }), // a local parent
  name: parent === undefined ? 'GET' : 'handler',
  kind: parent === undefined ? SPAN_KIND_SERVER : 1, // internal
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000100000000',
  attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
});

/** Sends each request (spans, by service) in turn; the sampling-key-missing subjects reported. */
async function missing(...requests: { service?: string; spans: Span[] }[]): Promise<string[]> {
  const check = await startLiveCheck({ spec, otlpListen: '127.0.0.1:0' });
  for (const { service = 'shop', spans } of requests) {
    const response = await fetch(`${check.otlpEndpoint!}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeSpans: [{ scope: { name: 'shop' }, spans: spans.map(otlpSpan) }],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
  }
  const report = await check.finish();
  return report.deviations
    .filter((d) => d.kind === 'sampling-key-missing')
    .map((d) => `${d.subject} x${d.count}`);
}

const root: Span = { id: 'eee19b7ec3c1b174' };
const child: Span = {
  id: 'aaa19b7ec3c1b174',
  parent: root.id,
  attributes: { 'http.route': '/health', tenant: 'acme' },
};

describe('check live and a key carried by a child span', () => {
  it('the sampler reads a route on a child span (100 ms: over /health 50, under the default 500)', async () => {
    expect(
      await keptInProcess(
        [{ name: 'slow', kind: 'latency', thresholdMs: 500, routes: { '/health': 50 } }],
        [
          {
            spans: [
              { durationMs: 100 },
              { parent: 0, durationMs: 10, attributes: { 'http.route': '/health' } },
            ],
          },
        ],
      ),
    ).toEqual([true]);
  });

  it('names no root whose child, exported before it, carries the route and the key', async () => {
    expect(await missing({ spans: [child, root] })).toEqual([]);
  });

  it('takes the deviation back when the child comes after the root', async () => {
    expect(await missing({ spans: [root] }, { spans: [child] })).toEqual([]);
  });

  it('still names a root whose trace carries neither, or only in another service or trace', async () => {
    expect(await missing({ spans: [root] })).toEqual(['GET http.route x1', 'GET tenant x1']);
    expect(await missing({ spans: [root] }, { service: 'billing', spans: [child] })).toEqual([
      'GET http.route x1',
      'GET tenant x1',
    ]);
    expect(
      await missing({ spans: [root, { ...child, trace: OTHER_TRACE }, { ...root, trace: OTHER_TRACE }] }),
    ).toEqual(['GET http.route x1', 'GET tenant x1']);
  });

  it('takes back only the key the child carries', async () => {
    const routeOnly = { ...child, attributes: { 'http.route': '/health' } };
    expect(await missing({ spans: [root] }, { spans: [routeOnly] })).toEqual(['GET tenant x1']);
  });
});
