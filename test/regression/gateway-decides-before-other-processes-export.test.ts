// Regression (topology trial: three services calling each other, agent, two gateways): the
// gateway's tail_sampling decided 1 s after a trace's root arrived (the spec's in-process grace,
// rounded up), while the other processes of the trace export their spans on the SDK batch
// processor's 5 s schedule: 16 of 344 error traces whose error was in the second process were
// dropped, and 9 of 1,746 exemplars pointed at traces the backend never got. The wait after the
// root now covers the SDK's export delay and the agent's batch, bounded by decision_wait.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

function afterRoot(spec: TelemetrySpec, options: { decisionWaitSeconds?: number } = {}): string {
  const gateway = parse(generateCollectorConfigs(spec, options)['gateway.yaml']) as {
    processors: { tail_sampling: { decision_wait_after_root_received: string } };
  };
  return gateway.processors.tail_sampling.decision_wait_after_root_received;
}

const spec = (decisionWaitMs: number): TelemetrySpec => ({
  service: { name: 'shop' },
  events: {},
  sampling: { decisionWaitMs, policies: [{ name: 'errors', kind: 'errors' }] },
});

describe('gateway decides before other processes export', () => {
  it('waits for the SDK export schedule (5 s) and the agent batch (200 ms) after the grace', () => {
    expect(afterRoot(spec(100))).toBe('6s');
    expect(afterRoot(spec(2_000))).toBe('8s');
  });

  it('never past decision_wait, which bounds every trace', () => {
    expect(afterRoot(spec(100), { decisionWaitSeconds: 3 })).toBe('3s');
  });
});
