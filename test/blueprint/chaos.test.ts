// The chaos switches piece by piece: [chaos] config and its errors, the one-run override, the
// hooks being the plain functions when off, corruption always giving a 4xx, and a killed flush
// rolling back and being retried until it commits (or failing whole, never half).
import { INVALID_SPAN_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { Batcher, MAX_COMMIT_ATTEMPTS } from '../../examples/blueprint/batcher.js';
import {
  CHAOS_PROFILES,
  ChaosProfileError,
  chaosEnabled,
  chaosOverride,
  chaosProfile,
} from '../../examples/blueprint/chaos-profiles.js';
import { CHAOS_ATTRIBUTE, ChaosFault, createChaos, parserFor } from '../../examples/blueprint/chaos.js';
import { parseConfig } from '../../examples/blueprint/config.js';
import { EventStore, type StoredEvent } from '../../examples/blueprint/event-store.js';
import { parseEvents } from '../../examples/blueprint/event-validation.js';
import { createNoopTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { configIssues, dependenciesToml, UNREACHABLE_DEPENDENCIES } from '../support/blueprint.js';

const minimal = `
${dependenciesToml(UNREACHABLE_DEPENDENCIES)}
[tenants.acme]
class = "latency-sensitive"
token_env = "ACME_TOKEN"
`;

/** A TelemetryPort that records counter adds and span attributes. */
function recordingTelemetry(): { telemetry: TelemetryPort; counted: string[] } {
  const counted: string[] = [];
  const base = createNoopTelemetry();
  return {
    counted,
    telemetry: {
      ...base,
      metrics: {
        ...base.metrics,
        counter: () => ({
          add: (_value: number, attributes?: Record<string, unknown>) =>
            counted.push(`${String(attributes?.kind)}/${String(attributes?.target)}`),
        }),
      },
    },
  };
}

function recordingSpan(): Span & { attributes: Record<string, unknown> } {
  const attributes: Record<string, unknown> = {};
  const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT) as Span & { attributes: Record<string, unknown> };
  span.attributes = attributes;
  span.setAttribute = (key: string, value: unknown) => {
    attributes[key] = value;
    return span;
  };
  return span;
}

const LIMITS = { maxEventsPerRequest: 100, maxDepth: 8 };

function row(i: number): StoredEvent {
  return {
    tenant: 'acme',
    type: 'page.viewed',
    clientId: `e-${i}`,
    receivedAt: 1,
    timestamp: null,
    payload: null,
    enrichment: '{}',
    degraded: false,
  };
}

describe('[chaos] config', () => {
  it('is off when absent, and off is not "enabled"', () => {
    const config = parseConfig(minimal);
    expect(config.chaos).toEqual(chaosProfile('off'));
    expect(chaosEnabled(config.chaos)).toBe(false);
  });

  it('starts from a profile and lets each key override it', () => {
    const config = parseConfig(`${minimal}
[chaos]
profile = "latency"
kill_task_ratio = 0.2
seed = 9
[chaos.tail_latency]
ms = 50
targets = ["storage"]
`);
    expect(config.chaos).toEqual({
      profile: 'latency',
      killTaskRatio: 0.2,
      corruptRequestRatio: 0,
      tailLatency: { ratio: 0.1, ms: 50, jitterMs: 100, targets: ['storage'] },
      seed: 9,
    });
    expect(chaosEnabled(config.chaos)).toBe(true);
  });

  it('names every bad key: ratios outside [0, 1], unknown profile, keys and targets', () => {
    const issues = configIssues(`${minimal}
[chaos]
profile = "apocalypse"
kill_task_ratio = 1.5
corrupt_request_ratio = "lots"
blast_radius = 3
[chaos.tail_latency]
ratio = -0.1
targets = ["network"]
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^chaos\.profile: expected one of "off", "kill", "corrupt", "latency", "mixed", got string "apocalypse"/,
        ),
        'chaos.kill_task_ratio: expected a ratio in [0, 1], got number 1.5',
        'chaos.corrupt_request_ratio: expected a ratio in [0, 1], got string "lots"',
        expect.stringMatching(/^chaos\.blast_radius: unknown key/),
        'chaos.tail_latency.ratio: expected a ratio in [0, 1], got number -0.1',
        'chaos.tail_latency.targets: expected a non-empty array of "dependency", "storage", got ["network"]',
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it('takes a one-run override by profile name, naming its source when the name is unknown', () => {
    expect(chaosOverride(undefined, 'BLUEPRINT_CHAOS')).toBeUndefined();
    expect(chaosOverride('', 'BLUEPRINT_CHAOS')).toBeUndefined();
    expect(chaosOverride('kill', '--chaos')).toEqual(chaosProfile('kill'));
    expect(() => chaosOverride('nope', 'BLUEPRINT_CHAOS')).toThrow(ChaosProfileError);
    expect(() => chaosOverride('nope', 'BLUEPRINT_CHAOS')).toThrow(
      'BLUEPRINT_CHAOS: unknown chaos profile "nope" (expected one of off, kill, corrupt, latency, mixed)',
    );
  });

  it('states every profile at rates inside [0, 1]', () => {
    for (const [name, profile] of Object.entries(CHAOS_PROFILES)) {
      for (const ratio of [profile.killTaskRatio, profile.corruptRequestRatio, profile.tailLatency.ratio])
        expect(ratio, name).toBeGreaterThanOrEqual(0);
      expect(chaosEnabled(chaosProfile(name as keyof typeof CHAOS_PROFILES))).toBe(name !== 'off');
    }
  });
});

describe('chaos hooks', () => {
  it('installs nothing when off: the parser is parseEvents itself', () => {
    expect(parserFor(undefined)).toBe(parseEvents);
  });

  it('corrupts the stated share of bodies, each into a 4xx-class parse failure, counted and marked', () => {
    const { telemetry, counted } = recordingTelemetry();
    const chaos = createChaos({ ...chaosProfile('off'), corruptRequestRatio: 0.3, seed: 42 }, telemetry);
    const parse = parserFor(chaos);
    const body = JSON.stringify([
      { type: 'page.viewed', user: 'u-1', payload: { a: [1, 2, 3] } },
      { type: 'x' },
    ]);
    let failed = 0;
    for (let i = 0; i < 2000; i++) {
      const span = recordingSpan();
      const result = parse(body, LIMITS, span);
      if (!result.ok) {
        failed++;
        expect(result.reason).toBe('invalid_json');
        expect(span.attributes[CHAOS_ATTRIBUTE]).toBe('corrupt_request');
        expect(['flip', 'truncate']).toContain(span.attributes['chaos.corruption']);
      } else expect(span.attributes[CHAOS_ATTRIBUTE]).toBeUndefined();
    }
    // Every corrupted body failed, every other parsed: the count is exactly what was injected.
    expect(failed).toBe(counted.length);
    expect(counted.every((c) => c === 'corrupt_request/request')).toBe(true);
    expect(failed / 2000).toBeGreaterThan(0.25);
    expect(failed / 2000).toBeLessThan(0.35);
  });

  it('is reproducible from its seed', () => {
    const run = () => {
      const chaos = createChaos({ ...chaosProfile('corrupt'), seed: 5 }, createNoopTelemetry());
      return Array.from({ length: 200 }, () => chaos.parseEvents('{"type":"a"}', LIMITS, recordingSpan()).ok);
    };
    expect(run()).toEqual(run());
  });
});

describe('a killed flush', () => {
  it('rolls back mid-transaction: none of its rows are stored', () => {
    const store = new EventStore(':memory:');
    const rows = Array.from({ length: 10 }, (_, i) => row(i));
    expect(() => store.insertBatchThenFail(rows, 6, new ChaosFault('kill_task', 'storage'))).toThrow(
      ChaosFault,
    );
    expect(store.count()).toBe(0);
    store.insertBatch(rows);
    expect(store.count()).toBe(10);
    store.close();
  });

  it('is retried until it commits, so every accepted entry is stored exactly once', async () => {
    const store = new EventStore(':memory:');
    const { telemetry, counted } = recordingTelemetry();
    const chaos = createChaos({ ...chaosProfile('off'), killTaskRatio: 0.4, seed: 3 }, telemetry);
    const batcher = new Batcher(store, { minBatch: 5, maxBatch: 20, maxWaitMs: 1 }, telemetry, chaos);
    const span = recordingSpan();
    const adds = Array.from({ length: 300 }, (_, i) => batcher.add([row(2 * i), row(2 * i + 1)], span));
    const results = await Promise.allSettled(adds);
    await batcher.drain();
    const committed = results.filter((r) => r.status === 'fulfilled').length;
    // 0.4^5 per batch: with ~60 batches all of them commit; any that did not is wholly absent.
    expect(store.count()).toBe(committed * 2);
    expect(committed).toBe(300);
    expect(batcher.retries).toBe(counted.filter((c) => c === 'kill_task/storage').length);
    expect(batcher.retries).toBeGreaterThan(10);
    expect(span.attributes[CHAOS_ATTRIBUTE]).toBe('kill_task');
    store.close();
  });

  it('fails its requests whole once every attempt was killed, storing none of them', async () => {
    const store = new EventStore(':memory:');
    const chaos = createChaos({ ...chaosProfile('off'), killTaskRatio: 1 }, createNoopTelemetry());
    const batcher = new Batcher(
      store,
      { minBatch: 1, maxBatch: 10, maxWaitMs: 1 },
      createNoopTelemetry(),
      chaos,
    );
    await expect(batcher.add([row(1), row(2)], recordingSpan())).rejects.toBeInstanceOf(ChaosFault);
    await batcher.drain();
    expect(batcher.retries).toBe(MAX_COMMIT_ATTEMPTS - 1);
    expect(store.count()).toBe(0);
    store.close();
  });

  it('delays a share of flushes (tail latency) and drain waits for them', async () => {
    const store = new EventStore(':memory:');
    const chaos = createChaos(
      { ...chaosProfile('off'), tailLatency: { ratio: 1, ms: 30, jitterMs: 0, targets: ['storage'] } },
      createNoopTelemetry(),
    );
    const batcher = new Batcher(
      store,
      { minBatch: 100, maxBatch: 100, maxWaitMs: 1_000 },
      createNoopTelemetry(),
      chaos,
    );
    const added = batcher.add([row(1)], recordingSpan());
    const drained = batcher.drain();
    expect(store.count()).toBe(0); // flushed, but its commit is 30 ms away
    await drained;
    expect(store.count()).toBe(1);
    await added;
    store.close();
  });
});
