// Regression (sampling review): the budget's thresholds per key, and the sampler's stats built
// from them, were plain objects: a key value "__proto__" (a client chooses the value of the key
// attribute) set the object's prototype instead of an entry, so that key was missing from
// `thresholds()`, `stats().thresholds`, `stats().thresholdsByPolicy` and the gauge
// plumbline_sampler_keep_probability, while its traffic was sampled all the same. A policy named
// "constructor" read Object.prototype.constructor as its entry in `stats().decisions`: its
// decisions were missing from stats and plumbline_sampler_decisions_total. They are records
// without a prototype now.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { BudgetPolicy } from '../../src/sampling/budget-policy.js';
import { captureLines } from '../support/capture.js';
import { scrapeTelemetry } from '../support/scrape-telemetry.js';

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

let telemetry: Telemetry | undefined;
afterEach(async () => telemetry?.shutdown());

describe('regression: budget key named __proto__ missing from stats', () => {
  it('BudgetPolicy.thresholds() has an entry for every key value', () => {
    const policy = new BudgetPolicy('baseline', { tracesPerSecond: 1, key: 'tenant' });
    let now = 1000;
    for (const tenant of HOSTILE_KEYS)
      policy.evaluate(
        {
          traceId: '0'.repeat(32),
          localRoot: { attributes: { tenant } } as never,
          rootDurationMs: 1,
          spans: [],
          exemplar: false,
          randomness: '80000000000000',
        },
        (now += 1),
      );
    expect(Object.keys(policy.thresholds()).sort()).toEqual([...HOSTILE_KEYS].sort());
  });

  it('reports every key value in stats() and on /metrics, and a policy named constructor', async () => {
    const spec = defineTelemetry({
      service: { name: 'shop', version: '1.0.0' },
      events: {},
      sampling: {
        decisionWaitMs: 0,
        policies: [
          { name: 'constructor', kind: 'attribute', key: 'vip', values: ['yes'] },
          { name: 'baseline', kind: 'budget', tracesPerSecond: 1, key: 'tenant' },
        ],
      },
    });
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    const tracer = telemetry.tracerProvider.getTracer('regression');
    for (let i = 0; i < 40; i++) {
      const tenant = HOSTILE_KEYS[i % HOSTILE_KEYS.length]!;
      tracer.startSpan('GET /a', { attributes: { tenant, vip: i < 3 ? 'yes' : 'no' } }, ROOT_CONTEXT).end();
    }
    const stats = telemetry.sampler!.stats();
    expect(Object.keys(stats.thresholds).sort()).toEqual([...HOSTILE_KEYS].sort());
    expect(Object.keys(stats.thresholdsByPolicy.baseline!).sort()).toEqual([...HOSTILE_KEYS].sort());
    expect(Object.keys(stats.decisions)).toContain('constructor');
    expect(stats.decisions.constructor).toEqual({ keep: 3, drop: 0 });

    const text = await scrapeTelemetry(telemetry);
    const keys = text
      .split('\n')
      .filter((line) => line.startsWith('plumbline_sampler_keep_probability{'))
      .map((line) => /key="([^"]*)"/.exec(line)![1]);
    expect(keys.sort()).toEqual([...HOSTILE_KEYS].sort());
    expect(text).toMatch(/^plumbline_sampler_decisions_total\{policy="constructor",outcome="keep"\} 3$/m);
  });
});
