// The blueprint's event.rejected lines are held to the spec's rate budget, one per reason: a
// flood of invalid JSON cannot hide the other rejections, and every line left out is counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import type { TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { blueprintToml } from '../support/blueprint.js';
import { startInProcessBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'checkout-test-token-0123456789';
let blueprint: InProcessBlueprint;
let logPath: string;
let telemetry: TelemetryPort;
let service: BlueprintService;

beforeAll(async () => {
  blueprint = await startInProcessBlueprint({
    prefix: 'blueprint-rejections-',
    // A small body bound, so a second reason (body_too_large) is cheap to provoke.
    toml: (dir, deps) =>
      blueprintToml({ dbPath: join(dir, 'events.db'), deps, tables: { ingress: { max_body_bytes: 4096 } } }),
    telemetry: (dir) => ({ logDestination: (logPath = join(dir, 'events.ndjson')) }),
    env: { CHECKOUT_TOKEN: TOKEN },
  });
  ({ telemetry, service } = blueprint);
});

afterAll(() => blueprint?.stop());

async function post(body: string): Promise<number> {
  const response = await fetch(`${service.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'checkout', authorization: `Bearer ${TOKEN}` },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe('event.rejected under a flood of one reason', () => {
  it('writes at most the budget per reason, keeps the other reasons, and counts every line left out', async () => {
    const FLOOD = 200;
    const statuses = await Promise.all(Array.from({ length: FLOOD }, () => post('{not json')));
    expect(statuses.every((status) => status === 400)).toBe(true);
    const tooLarge = await Promise.all(Array.from({ length: 3 }, () => post(`[${'1'.repeat(5000)}]`)));
    expect(tooLarge.every((status) => status === 413)).toBe(true);
    await telemetry.shutdown();
    const lines = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === 'event.rejected');
    const invalid = lines.filter((line) => line.reason === 'invalid_json');
    // 10 lines/s with a one-second burst: far fewer than the flood, however slow the machine.
    expect(invalid.length).toBeGreaterThanOrEqual(10);
    expect(invalid.length).toBeLessThan(FLOOD / 2);
    // Another reason has its own budget: the flood did not use it up.
    expect(lines.filter((line) => line.reason === 'body_too_large')).toHaveLength(3);
    // Nothing left out goes uncounted: the written lines' `suppressed` and those still pending
    // add up to the flood (the last written line may not carry the latest ones yet).
    const carried = invalid.reduce((sum, line) => sum + ((line.suppressed as number | undefined) ?? 0), 0);
    expect(carried).toBeLessThanOrEqual(FLOOD - invalid.length);
  });
});
