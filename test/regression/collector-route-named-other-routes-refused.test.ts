// Regression: a latency policy with a route named `other-routes` (a valid route value the
// in-process policy reads like any other) named its collector policy `<name>:other-routes`, like
// the policy for every route not listed, and the generator refused the spec as a duplicate
// ("sampling.policies[0].name: makes the collector's tail_sampling policy "slow:other-routes",
// which sampling.policies[0] makes too"), pointing at the name, which renaming does not help. The
// route's policy now gets `<name>:other-routes#2`. Real parts: the in-process latency policy's
// threshold, the plumbline collector running the generated single.yaml, one-span traces of 1 ms
// over OTLP/HTTP, the kept ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { LatencyPolicy } from '../../src/sampling/latency-policy.js';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const routes = { 'other-routes': 1 };
const thresholdMs = 1000;

describe('a latency route named other-routes', () => {
  it('is generated, and the collector keeps what the in-process policy keeps', async () => {
    const inProcess = new LatencyPolicy('slow', { thresholdMs, routes });
    // 1 ms traces: at the route's threshold for `other-routes`, far under the default for `/orders`.
    expect(inProcess.thresholdFor('other-routes')).toBe(1);
    expect(inProcess.thresholdFor('/orders')).toBe(thresholdMs);
    const { kept } = await keptByCollector(
      [{ name: 'slow', kind: 'latency', thresholdMs, routes }],
      'http.route',
      ['other-routes', '/orders'],
    );
    expect([...kept]).toEqual(['other-routes']);
  }, 90_000);
});
