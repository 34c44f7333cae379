// Regression: the budget policy kept its per-key state under the key attribute's value whole. The
// number of keys is bounded (maxKeys, 256), but a key's length was not, and a client chooses the
// value (a tenant ID): 1,000 traces with distinct 1 MB values held 256 MB of heap in the sampler
// after their spans were gone (the label on /metrics was already cut to 2048 bytes, by
// self-metric-label-value-unbounded). A key value is now cut at the source to the same bound
// (2048 UTF-8 bytes, on a character boundary), so values alike up to the cut share one budget, as
// the gauge's label shows them; each cut is counted. The error budget keys its traces the same way.
// Real SDK spans through the tail sampler.
import { SpanStatusCode } from '@opentelemetry/api';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BudgetPolicy, OTHER_KEY } from '../../src/sampling/budget-policy.js';
import { ErrorBudgetPolicy } from '../../src/sampling/error-budget-policy.js';
import type { TraceView } from '../../src/sampling/policy.js';
import { rig } from '../sampling/harness.js';

/** The bound: labelValueLengthLimit's default, the length the gauge's label is cut to. */
const MAX_KEY_BYTES = 2048;
const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The heap in use after a full collection. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A 1 MB value, distinct from the others in its first characters (so it stays a key of its own). */
const megabyteValue = (i: number) => `${String(i).padStart(8, '0')}${'x'.repeat(1_000_000 - 8)}`;

describe('regression: budget key values had no length bound', () => {
  it('holds no 1 MB key values after 1,000 traces with distinct ones', async () => {
    const sampler = rig({
      decisionWaitMs: 0,
      policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'tenant' }],
    });
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++)
      sampler.tracer.startSpan('GET /', { attributes: { tenant: megabyteValue(i) } }).end();
    await sampler.provider.forceFlush();
    const grown = heapAfterGc() - before;
    // Whole, the 256 values held 256 MB; cut, 256 x 2 KB (plus what the sampler holds anyway).
    expect(grown).toBeLessThan(32 * 1024 * 1024);

    const held = Object.keys(sampler.processor.stats().thresholdsByPolicy.baseline ?? {});
    // The clock stands still: no key goes idle, so maxKeys (256) keys are held, and the rest
    // share the overflow key.
    expect(held).toHaveLength(257);
    expect(held).toContain(OTHER_KEY);
    const keys = held.filter((key) => key !== OTHER_KEY);
    expect(keys.every((key) => byteLength(key) === MAX_KEY_BYTES)).toBe(true);
    expect(keys.every((key) => megabyteValue(Number(key.slice(0, 8))).startsWith(key))).toBe(true);
    await sampler.provider.shutdown();
  }, 60_000);

  it('cuts a key value on a character boundary; values alike up to the cut share one budget', () => {
    const policy = new BudgetPolicy('baseline', { tracesPerSecond: 10, key: 'tenant' });
    const view = (tenant: string) =>
      ({
        traceId: '0'.repeat(32),
        localRoot: { attributes: { tenant } },
        rootDurationMs: 1,
        spans: [],
        exemplar: false,
        randomness: '80000000000000',
      }) as unknown as TraceView;
    const long = 'k'.repeat(1_000_000);
    const euros = '€'.repeat(1000); // 3,000 bytes
    let now = 1000;
    for (const tenant of [`${long}a`, `${long}b`, `${long}a`, euros, 'short', 'x'.repeat(MAX_KEY_BYTES)])
      policy.evaluate(view(tenant), (now += 1));

    const keys = Object.keys(policy.thresholds());
    expect(keys.map(byteLength).sort((a, b) => a - b)).toEqual([5, 2046, MAX_KEY_BYTES, MAX_KEY_BYTES]);
    expect(keys).toContain('k'.repeat(MAX_KEY_BYTES));
    expect(keys).toContain('€'.repeat(682));
    expect(keys).toContain('x'.repeat(MAX_KEY_BYTES));
    expect(keys).toContain('short');
    // Three 1 MB values and the 3,000-byte one were cut; the 2,048-byte one fits.
    expect(policy.keysTruncated()).toBe(4);
  });

  it('cuts the error budget key the same way', async () => {
    const sampler = rig({
      decisionWaitMs: 0,
      policies: [{ name: 'errors', kind: 'errors', budget: { tracesPerSecond: 10, key: 'tenant' } }],
    });
    for (let i = 0; i < 20; i++) {
      const span = sampler.tracer.startSpan('GET /', { attributes: { tenant: megabyteValue(i % 2) } });
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await sampler.provider.forceFlush();
    const keys = Object.keys(sampler.processor.stats().thresholdsByPolicy.errors ?? {});
    expect(keys.map(byteLength)).toEqual([MAX_KEY_BYTES, MAX_KEY_BYTES]);
    await sampler.provider.shutdown();
  });

  it('counts the error budget cuts', () => {
    const policy = new ErrorBudgetPolicy('errors', { tracesPerSecond: 10, key: 'tenant' });
    const span = { attributes: { tenant: megabyteValue(0) }, status: { code: SpanStatusCode.ERROR } };
    const view = { localRoot: span, spans: [span], randomness: '80000000000000' } as unknown as TraceView;
    for (let i = 0; i < 3; i++) policy.evaluate(view, 1000 + i);
    expect(Object.keys(policy.thresholds()).map(byteLength)).toEqual([MAX_KEY_BYTES]);
    expect(policy.keysTruncated()).toBe(3);
  });
});
