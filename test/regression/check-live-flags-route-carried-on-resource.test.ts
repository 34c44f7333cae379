// Regression (sampling review): since e701791 a latency policy's route is read on the resource
// too, in-process as in the collector's string_attribute (resource OR span). `plumbline check
// live` still looked for it on the local root span only and reported `sampling-key-missing` for a
// root whose resource carried the route (a service per route, or a route set by a resource
// detector): a false deviation, since the sampler holds that trace to the route's threshold. The
// check now takes a route on the root's resource as carried. Real parts: the check's OTLP receiver
// over HTTP fed OTLP/JSON, and the in-process tail sampler behind a real tracer provider.
import { describe, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { SPAN_KIND_SERVER } from '../../src/check/otlp-decode.js';
import { defineTelemetry } from '../../src/index.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptInProcess } from '../support/collector-trace-probe.js';

function specWith(policy: SamplingPolicySpec) {
  return defineTelemetry({
    service: { name: 'shop', version: '1.0.0' },
    events: {},
    sampling: { policies: [policy] },
  });
}

const SLOW: SamplingPolicySpec = {
  name: 'slow',
  kind: 'latency',
  thresholdMs: 500,
  routes: { '/health': 50 },
};

const string = (value: string) => ({ stringValue: value });

/** The deviations `check live` reports for one server root span with this resource. */
async function deviationsFor(
  policy: SamplingPolicySpec,
  resource: Record<string, string>,
  attributes: Record<string, string> = {},
): Promise<string[]> {
  const check = await startLiveCheck({ spec: specWith(policy), otlpListen: '127.0.0.1:0' });
  const response = await fetch(`${check.otlpEndpoint!}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: Object.entries(resource).map(([key, value]) => ({ key, value: string(value) })),
          },
          scopeSpans: [
            {
              scope: { name: 'shop' },
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  name: 'GET',
                  kind: SPAN_KIND_SERVER,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000100000000',
                  attributes: Object.entries(attributes).map(([key, value]) => ({
                    key,
                    value: string(value),
                  })),
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
  const report = await check.finish();
  return report.deviations.filter((d) => d.kind === 'sampling-key-missing').map((d) => d.subject);
}

describe('check live and a route carried on the resource', () => {
  it('the sampler holds a root without a route to the threshold of the route on its resource', async () => {
    // 100 ms: over /health's 50, under the default 500. Kept only if the route was seen.
    expect(
      await keptInProcess(
        [SLOW],
        [
          { resource: { 'http.route': '/health' }, spans: [{ durationMs: 100 }] },
          { spans: [{ durationMs: 100 }] },
        ],
      ),
    ).toEqual([true, false]);
  });

  it('reports no sampling-key-missing for that root', async () => {
    expect(await deviationsFor(SLOW, { 'http.route': '/health' })).toEqual([]);
  });

  it('with a routeAttribute of its own as well', async () => {
    const policy = { ...SLOW, routeAttribute: 'shop.route' } as SamplingPolicySpec;
    expect(await deviationsFor(policy, { 'shop.route': '/health' })).toEqual([]);
    // Still named when neither the root nor its resource carries it.
    expect(await deviationsFor(policy, { 'http.route': '/health' })).toEqual(['GET shop.route']);
  });

  it('still names a root without a route when its resource has none either', async () => {
    expect(await deviationsFor(SLOW, {})).toEqual(['GET http.route']);
    expect(await deviationsFor(SLOW, {}, { 'http.route': '/health' })).toEqual([]);
  });
});
