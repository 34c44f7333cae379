// scripts/peer.sh, which brings the tests' real peers: a peer that cannot be had fails at once,
// saying what is missing and how to get it, and never starts a build it cannot finish.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cache = mkdtempSync(join(tmpdir(), 'plumbline-peer-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** Runs peer.sh with an empty cache and only the given extra environment (no inherited overrides). */
function peer(name: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const result = spawnSync('bash', ['scripts/peer.sh', name], {
    env: { HOME: process.env.HOME ?? '/root', PATH: '/usr/bin:/bin', PLUMBLINE_CACHE_DIR: cache, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ...result, ms: Date.now() - started };
}

describe('scripts/peer.sh', () => {
  it.each(['prometheus', 'promtool', 'alertmanager', 'amtool'])(
    'without Go, %s fails at once naming Go and the variable that points at a binary instead',
    (name) => {
      const result = peer(name);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`Go is needed to build ${name}`);
      expect(result.stderr).toContain(`PLUMBLINE_${name.toUpperCase()}`);
      expect(result.ms).toBeLessThan(10_000);
    },
  );

  it('without Go, the collector fails at once naming Go', () => {
    const result = peer('otelcol');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/go is not on PATH/);
  });

  it('with PLUMBLINE_PEER_NO_BUILD, a peer that is not cached fails with the command that builds it', () => {
    const result = peer('prometheus', { PATH: process.env.PATH ?? '', PLUMBLINE_PEER_NO_BUILD: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bash scripts/peer.sh prometheus builds it');
  });

  it('an override that is not an executable file is refused, naming the variable', () => {
    const result = peer('alertmanager', { PLUMBLINE_ALERTMANAGER: join(cache, 'missing') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('$PLUMBLINE_ALERTMANAGER=');
  });

  it('an executable override is used as it is, with nothing built', () => {
    const binary = join(cache, 'my-prometheus');
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    const result = peer('prometheus', { PLUMBLINE_PROMETHEUS: binary });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(binary);
  });

  it('refuses an unknown peer with its usage', () => {
    const result = peer('grafana');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /usage: scripts\/peer.sh prometheus\|promtool\|alertmanager\|amtool\|otelcol/,
    );
  });
});
