// Regression (sampling review): a latency policy with routes is generated as one `and` of
// string_attribute(route) + latency per route and one for every other route (string_attribute
// with invert_match over the listed routes), and the collector's string_attribute matches the
// RESOURCE's attribute or any span's. The in-process policy read the route from the local root's
// attributes only: a route on the resource (or on a child span) was never seen, so the two tiers
// held the trace to different thresholds (routes /checkout 1500 ms, /health 50 ms, others 500 ms:
// the two tiers disagreed on 4 of the 8 probe traces below, 2 kept by each that the other dropped).
// The in-process policy now does what the collector does: a listed route carried by the resource
// or by any span of the trace applies its threshold; the default applies only when no listed
// route is carried anywhere. Real parts: the in-process tail sampler behind a real tracer provider
// with that resource, and the real collector running the generated single.yaml, fed the same
// traces over OTLP/HTTP.
import { describe, expect, it } from 'vitest';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector, keptInProcess, type ProbeTrace } from '../support/collector-trace-probe.js';

const SLOW: readonly SamplingPolicySpec[] = [
  { name: 'slow', kind: 'latency', thresholdMs: 500, routes: { '/checkout': 1500, '/health': 50 } },
];

const CASES: readonly { readonly trace: ProbeTrace; readonly kept: boolean }[] = [
  // /health on the resource: its 50 ms threshold, not the default 500.
  { trace: { resource: { 'http.route': '/health' }, spans: [{ durationMs: 100 }] }, kept: true },
  // /checkout on the resource: 700 ms is under its 1500, and the default no longer applies.
  { trace: { resource: { 'http.route': '/checkout' }, spans: [{ durationMs: 700 }] }, kept: false },
  // ... even when the root names a route without a threshold of its own.
  {
    trace: {
      resource: { 'http.route': '/checkout' },
      spans: [{ durationMs: 700, attributes: { 'http.route': '/orders' } }],
    },
    kept: false,
  },
  // A listed route on a child span counts as well (any span, as the collector reads it).
  {
    trace: {
      spans: [{ durationMs: 100 }, { parent: 0, durationMs: 10, attributes: { 'http.route': '/health' } }],
    },
    kept: true,
  },
  // Unlisted on the resource: the default threshold.
  { trace: { resource: { 'http.route': '/orders' }, spans: [{ durationMs: 700 }] }, kept: true },
  { trace: { resource: { 'http.route': '/orders' }, spans: [{ durationMs: 300 }] }, kept: false },
  // Listed on the root, as before: its own threshold.
  { trace: { spans: [{ durationMs: 1600, attributes: { 'http.route': '/checkout' } }] }, kept: true },
  { trace: { spans: [{ durationMs: 1200, attributes: { 'http.route': '/checkout' } }] }, kept: false },
];
const TRACES = CASES.map((entry) => entry.trace);
const EXPECTED = CASES.map((entry) => entry.kept);

describe('a latency policy and a route on the resource', () => {
  it('holds the trace in-process to the threshold of a route the resource or any span carries', async () => {
    expect(await keptInProcess(SLOW, TRACES)).toEqual(EXPECTED);
  });

  it('keeps the same traces in the collector as in-process', async () => {
    expect(await keptByCollector(SLOW, TRACES)).toEqual(EXPECTED);
  }, 120_000);
});
