// Regression (sampling review): the generated collector keeps an error trace by `status_code`
// (span status only) or by `numeric_attribute` 500-599 on http.response.status_code /
// http.status_code, and numeric_attribute matches the RESOURCE's attribute as well as a span's.
// The in-process errors policy (and the errors policy with a budget) read the spans only: a
// service whose resource carried http.response.status_code=503 (or the legacy http.status_code=500)
// had its traces kept by the gateway and dropped by the SDK (in-process 0 of 3, collector 3 of 3).
// Both tiers now read the resource the way numeric_attribute does, once per trace: an integer in
// 500-599, nothing else (a "503" string or a 404 keeps nothing in either). Real parts: the
// in-process tail sampler behind a real tracer provider with that resource, and the real
// collector running the generated single.yaml, fed the same traces over OTLP/HTTP.
import { describe, expect, it } from 'vitest';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptByCollector, keptInProcess, type ProbeTrace } from '../support/collector-trace-probe.js';

const ERRORS: readonly SamplingPolicySpec[] = [{ name: 'errors', kind: 'errors' }];
const ERRORS_WITH_BUDGET: readonly SamplingPolicySpec[] = [
  { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 1_000 } },
];

const root = (attributes: Readonly<Record<string, string | number>> = {}) => ({ durationMs: 20, attributes });
const child = { parent: 0, durationMs: 10 };

// The resource says 5xx: kept by the collector whatever the spans say.
const RESOURCE_5XX: readonly ProbeTrace[] = [
  { resource: { 'http.response.status_code': 503 }, spans: [root(), child] },
  { resource: { 'http.status_code': 500 }, spans: [root()] },
  // A span's own 200 does not hide the resource's 503 (resource OR span).
  {
    resource: { 'http.response.status_code': 599 },
    spans: [root({ 'http.response.status_code': 200 }), child],
  },
];
// Not a 5xx the collector's numeric_attribute reads: kept by neither tier.
const RESOURCE_NOT_5XX: readonly ProbeTrace[] = [
  { resource: { 'http.response.status_code': 404 }, spans: [root(), child] },
  { resource: { 'http.response.status_code': '503' }, spans: [root()] },
  { resource: { 'http.status_code': 600 }, spans: [root()] },
];
const ALL = [...RESOURCE_5XX, ...RESOURCE_NOT_5XX];
const EXPECTED = [...RESOURCE_5XX.map(() => true), ...RESOURCE_NOT_5XX.map(() => false)];

describe('an errors policy and a status code on the resource', () => {
  it('keeps in-process the traces whose resource carries an HTTP 5xx, with or without a budget', async () => {
    expect(await keptInProcess(ERRORS, ALL)).toEqual(EXPECTED);
    // The budget (1,000/s) keeps every error trace it sees; before, it never saw these as errors.
    expect(await keptInProcess(ERRORS_WITH_BUDGET, ALL)).toEqual(EXPECTED);
  });

  it('keeps the same traces in the collector as in-process', async () => {
    expect(await keptByCollector(ERRORS, ALL)).toEqual(EXPECTED);
    // The gateway has no error budget: it keeps every error trace under the same two policies.
    expect(await keptByCollector(ERRORS_WITH_BUDGET, ALL)).toEqual(EXPECTED);
  }, 120_000);
});
