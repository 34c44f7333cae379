// Regression: the collector budget's burst_capacity is max(2 × spans_per_second,
// sampling.maxSpansPerTrace) (docs/collector.md), and maxSpansPerTrace defaults to 1000
// (docs/spec.md), but the generator read the section as written: with the field unset the
// blueprint's configs had burst_capacity 100 (gateway) and 200 (single), with
// `maxSpansPerTrace: 1000` written out 1000. The same effective spec gave different configs, and
// no trace of more than 2 × spans_per_second spans could ever pass the gateway's budget. The
// generator now reads the resolved sampling settings, for this field and the others it reads.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { loadSpecFile } from '../../src/spec/load.js';
import {
  DEFAULT_DECISION_WAIT_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_SPANS_PER_TRACE,
} from '../../src/spec/sampling-settings.js';
import type { SamplingSpec, TelemetrySpec } from '../../src/spec/types.js';

const BLUEPRINT = 'examples/blueprint/telemetry.ts';

type RateLimit = { spans_per_second: number; burst_capacity: number };

function budgetLimit(yaml: string): RateLimit {
  const config = parse(yaml) as {
    processors: { tail_sampling: { policies: Array<{ type: string; rate_limiting?: RateLimit }> } };
  };
  const limit = config.processors.tail_sampling.policies.find((policy) => policy.type === 'rate_limiting');
  if (limit?.rate_limiting === undefined) throw new Error('no rate_limiting policy in the config');
  return limit.rate_limiting;
}

function withSampling(spec: TelemetrySpec, extra: Partial<SamplingSpec>): TelemetrySpec {
  return { ...spec, sampling: { ...spec.sampling!, ...extra } };
}

describe('burst_capacity with maxSpansPerTrace left at its default', () => {
  it('the blueprint (maxSpansPerTrace unset) gets a burst that admits a trace of the default 1000 spans', async () => {
    const spec = await loadSpecFile(BLUEPRINT);
    expect(spec.sampling?.maxSpansPerTrace).toBeUndefined();
    const files = generateCollectorConfigs(spec);
    for (const name of ['gateway.yaml', 'single.yaml'] as const) {
      const limit = budgetLimit(files[name]);
      expect(limit.burst_capacity, name).toBe(
        Math.max(2 * limit.spans_per_second, DEFAULT_MAX_SPANS_PER_TRACE),
      );
      expect(limit.burst_capacity, name).toBeGreaterThanOrEqual(DEFAULT_MAX_SPANS_PER_TRACE);
    }
  });

  it('writing maxSpansPerTrace: 1000 out changes nothing', async () => {
    const spec = await loadSpecFile(BLUEPRINT);
    const explicit = withSampling(spec, { maxSpansPerTrace: DEFAULT_MAX_SPANS_PER_TRACE });
    expect(generateCollectorConfigs(explicit)).toEqual(generateCollectorConfigs(spec));
  });

  it('neither does writing out the other defaults the generator reads (decisionWaitMs, maxBytes, dryRun)', async () => {
    // maxTraces is left out on purpose: a gateway holds every service's traces, so unset it gets
    // the gateway's own num_traces default (50 000), not the in-process buffer's 10 000.
    const spec = await loadSpecFile(BLUEPRINT);
    const bare = withSampling(spec, { decisionWaitMs: undefined });
    const explicit = withSampling(spec, {
      decisionWaitMs: DEFAULT_DECISION_WAIT_MS,
      maxSpansPerTrace: DEFAULT_MAX_SPANS_PER_TRACE,
      maxBytes: DEFAULT_MAX_BYTES,
      dryRun: false,
    });
    expect(generateCollectorConfigs(explicit)).toEqual(generateCollectorConfigs(bare));
  });
});
