// Regression (issue 19): an https:// dependency passed config validation, then every call failed
// with ERR_INVALID_PROTOCOL and each request was answered 202 as merely "degraded". Here the
// blueprint process calls an https dependency (a throwaway CA made with openssl, given as
// [dependencies.geo] ca): the lookups succeed and nothing is degraded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDependency, type DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { blueprintToml, startBlueprintProcess } from '../support/blueprint.js';
import { makeTlsFiles } from '../support/collector.js';
import { freePort, type RunningProcess } from '../support/process.js';

const TOKEN = 'regression-tenant-token-0123456789';

let dir: string;
let ca = '';
const deps: DependencyServer[] = [];
let service: RunningProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-https-dep-'));
  const tls = makeTlsFiles(dir);
  ca = tls.ca;
  const pair = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  deps.push(await startDependency('geo', { tls: pair, faults: { latencyMs: 0, jitterMs: 0 } }));
  deps.push(await startDependency('profile', { tls: pair, faults: { latencyMs: 0, jitterMs: 0 } }));
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('regression: https dependencies failed with ERR_INVALID_PROTOCOL', () => {
  it('calls https dependencies through TLS with the configured CA: 202, not degraded', async () => {
    const port = await freePort();
    const configPath = join(dir, 'blueprint.toml');
    writeFileSync(
      configPath,
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { listen: `127.0.0.1:${port}` },
        dependencies: { geo: { ca }, profile: { ca } },
        tenants: { acme: { class: 'latency-sensitive', queue_bound: 100, token_env: 'REGRESSION_TOKEN' } },
      }),
    );
    service = await startBlueprintProcess(configPath, { env: { ...process.env, REGRESSION_TOKEN: TOKEN } });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ type: 'page.viewed', user: `u${i}` }),
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 1, degraded: false });
    }
    expect(deps.map((d) => d.url.startsWith('https://'))).toEqual([true, true]);
    expect(deps.map((d) => d.served.ok)).toEqual([5, 5]);
  });
});
