// Regression: plumbline set no `service.instance.id`, so two instances of one service exporting
// to the same collector landed in the same series of its Prometheus exporter (no `instance`
// label, though docs/collector.md promised one): an SRE trial saw
// http_server_request_duration_seconds_count flip 11 -> 1575 -> 11 -> 1607 between scrapes,
// which Prometheus reads as counter resets. Each process now has its own random ID (the semantic
// conventions allow a random UUID), and OTEL_RESOURCE_ATTRIBUTES still sets it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { serviceResource } from '../../src/telemetry/resource.js';
import { REPO } from '../packaging/packed.js';

const exec = promisify(execFile);
const spec = defineTelemetry({ service: { name: 'widgets' }, events: {} });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  delete process.env.OTEL_RESOURCE_ATTRIBUTES;
});

/** service.instance.id of a fresh process's resource for the same spec. */
async function instanceIdOfAnotherProcess(): Promise<string> {
  const code = `import { serviceResource } from './src/telemetry/resource.ts';
console.log(serviceResource({ service: { name: 'widgets' }, events: {} }).attributes['service.instance.id']);`;
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO,
  });
  return stdout.trim();
}

describe('collector instances overwrote each other’s metrics (regression)', () => {
  it('gives each process its own service.instance.id, the same for every pipeline in it', async () => {
    const id = serviceResource(spec).attributes['service.instance.id'];
    expect(id).toMatch(UUID);
    expect(serviceResource(spec).attributes['service.instance.id']).toBe(id);
    const others = await Promise.all([instanceIdOfAnotherProcess(), instanceIdOfAnotherProcess()]);
    for (const other of others) expect(other).toMatch(UUID);
    expect(new Set([id, ...others]).size).toBe(3);
  });

  it('lets OTEL_RESOURCE_ATTRIBUTES set it', () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.instance.id=widgets-7f9c';
    expect(serviceResource(spec).attributes['service.instance.id']).toBe('widgets-7f9c');
  });
});
