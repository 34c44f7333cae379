// Rotating a tenant's token file while the blueprint runs: the new token works and the old one is
// refused within one poll, with no restart; a refused file leaves the current token in force.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../examples/blueprint/config.js';
import { startDependency, type DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { blueprintToml } from '../support/blueprint.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { waitFor } from '../support/process.js';

const FIRST = 'acme-first-token-0123456789';
const SECOND = 'acme-second-token-0123456789';
let dir: string;
let tokenFile: string;
let securityLogPath: string;
let deps: DependencyServer[];
let telemetry: TelemetryPort;
let service: BlueprintService;

function post(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${service.url}/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme', authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('{"type":"rotation.probe"}');
  });
}

function securityEvents(event: string): Record<string, unknown>[] {
  return readFileSync(securityLogPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === event);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-rotation-'));
  tokenFile = join(dir, 'acme.token');
  securityLogPath = join(dir, 'security.ndjson');
  writeFileSync(tokenFile, `${FIRST}\n`, { mode: 0o600 });
  deps = await Promise.all([startDependency('geo'), startDependency('profile')]);
  const config = parseConfig(
    blueprintToml({
      dbPath: join(dir, 'events.db'),
      deps,
      tenants: { acme: { class: 'latency-sensitive', queue_bound: 100, token_file: 'acme.token' } },
      tables: { security: { token_reload_ms: 50 } },
    }),
    join(dir, 'blueprint.toml'),
    dir,
  );
  telemetry = await openTelemetry({
    logDestination: join(dir, 'events.ndjson'),
    securityLogDestination: securityLogPath,
    securityLog: { foldWindowMs: 10, maxLinesPerWindow: 100 },
  });
  service = await startBlueprint(config, telemetry, { env: {} });
});

afterAll(async () => {
  await service?.drain();
  await telemetry?.shutdown();
  await Promise.all((deps ?? []).map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('tenant token rotation', () => {
  it('takes a rewritten token file within one poll: the new token is accepted, the old refused', async () => {
    expect(await post(FIRST)).toBe(202);
    writeFileSync(tokenFile, `${SECOND}\n`);
    await waitFor(
      'the rotated token to be accepted',
      async () => ((await post(SECOND)) === 202 ? true : undefined),
      5_000,
      20,
    );
    expect(await post(FIRST)).toBe(401);
    const reloaded = await waitFor('the reload security event', () => {
      const events = securityEvents('auth.token_reloaded');
      return events.length > 0 ? events : undefined;
    });
    expect(reloaded[0]).toMatchObject({ outcome: 'reloaded', tenant: 'acme', source: tokenFile });
  });

  it('keeps the current token when the rewritten file is refused, and says why once', async () => {
    writeFileSync(tokenFile, 'too-short\n');
    service.reloadTokens(); // the poll would get there too; this makes the order certain
    service.reloadTokens();
    expect(await post(SECOND)).toBe(202);
    const failed = await waitFor('the refusal security event', () => {
      const events = securityEvents('auth.token_reloaded').filter((e) => e.outcome === 'failed');
      return events.length > 0 ? events : undefined;
    });
    // Once, however many polls find the file still refused (each line counts what it folds).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refusals = securityEvents('auth.token_reloaded').filter((e) => e.outcome === 'failed');
    expect(refusals.reduce((sum, e) => sum + (e.count as number), 0)).toBe(1);
    expect(failed[0]!.error).toMatch(/at least 16 characters/);
    const text = readFileSync(securityLogPath, 'utf8');
    for (const secret of [FIRST, SECOND, 'too-short']) expect(text).not.toContain(secret);
  });
});
