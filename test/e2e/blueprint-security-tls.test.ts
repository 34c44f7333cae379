// The blueprint on HTTPS with a throwaway CA (openssl CLI): the certificate is rotated on disk
// mid-run and new connections get the new one without a restart and without a failed request;
// clients that fail the handshake (untrusted CA, plain HTTP) become tls.handshake_failed security
// events; the admin listener stays plain HTTP on loopback.
import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../examples/blueprint/scrape.js';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import type { TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { blueprintToml } from '../support/blueprint.js';
import {
  certificateFingerprint,
  installTlsPair,
  issueCertificate,
  makeCertificateAuthority,
  type CertificateAuthority,
  type TlsPair,
} from '../support/collector.js';
import { startInProcessBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';
import { waitFor } from '../support/process.js';

const TOKEN = 'acme-tls-token-0123456789';

let blueprint: InProcessBlueprint;
let dir: string;
let ca: CertificateAuthority;
let live: TlsPair;
let telemetry: TelemetryPort;
let service: BlueprintService;
let securityLogPath: string;

beforeAll(async () => {
  blueprint = await startInProcessBlueprint({
    prefix: 'blueprint-tls-',
    prepare: (dir) => {
      ca = makeCertificateAuthority(join(dir, 'ca'), 'blueprint test CA');
      mkdirSync(join(dir, 'tls'));
      live = issueCertificate(ca, { cert: join(dir, 'tls', 'cert.pem'), key: join(dir, 'tls', 'key.pem') });
    },
    toml: (_dir, deps) =>
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { tls_cert: 'tls/cert.pem', tls_key: 'tls/key.pem', tls_reload_ms: 100 },
        tenants: { acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' } },
      }),
    pathsRelativeToDir: true,
    telemetry: (dir) => ({
      logDestination: join(dir, 'events.ndjson'),
      securityLogDestination: (securityLogPath = join(dir, 'security.ndjson')),
    }),
    env: { ACME_TOKEN: TOKEN },
  });
  ({ dir, telemetry, service } = blueprint);
});

afterAll(() => blueprint?.stop());

/** One request on a new TLS connection that trusts only the test CA; the server's certificate fingerprint. */
function postOverNewConnection(): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${service.url}/events`,
      {
        method: 'POST',
        agent: false,
        ca: readFileSync(ca.cert),
        headers: {
          'content-type': 'application/json',
          'x-tenant': 'acme',
          authorization: `Bearer ${TOKEN}`,
        },
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint }));
      },
    );
    req.on('error', reject);
    req.end('{"type":"tls.check"}');
  });
}

function securityCount(samples: ReturnType<typeof parseExposition>, event: string, outcome: string): number {
  return (
    samples.find(
      (s) =>
        s.name === 'plumbline_security_events_total' &&
        s.labels.event === event &&
        s.labels.outcome === outcome,
    )?.value ?? 0
  );
}

async function scrape(): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await (await fetch(`${service.adminUrl}/metrics`)).text());
}

describe('blueprint over HTTPS', () => {
  it('serves HTTPS on the public listener and plain HTTP admin on loopback', async () => {
    expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(service.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const first = await postOverNewConnection();
    expect(first).toEqual({ status: 202, fingerprint: certificateFingerprint(live.cert) });
    expect((await fetch(`${service.adminUrl}/healthz`)).status).toBe(200);
  });

  it('rotates the certificate without a restart: new connections see the new one, no request fails', async () => {
    const oldFingerprint = certificateFingerprint(live.cert);
    const next = issueCertificate(ca, { cert: join(dir, 'next-cert.pem'), key: join(dir, 'next-key.pem') });
    const newFingerprint = certificateFingerprint(next.cert);
    expect(newFingerprint).not.toBe(oldFingerprint);

    const seen: { status: number; fingerprint: string }[] = [];
    let rotating = true;
    const traffic = (async () => {
      while (rotating) seen.push(await postOverNewConnection());
    })();
    await waitFor('requests before the rotation', () => (seen.length >= 5 ? true : undefined), 10_000, 20);
    installTlsPair(next, live);
    await waitFor(
      'a new connection to present the rotated certificate',
      () => (seen.at(-1)?.fingerprint === newFingerprint ? true : undefined),
      10_000,
      20,
    );
    const rotatedAt = seen.length;
    await waitFor(
      'requests after the rotation',
      () => (seen.length >= rotatedAt + 5 ? true : undefined),
      10_000,
      20,
    );
    rotating = false;
    await traffic;

    expect(seen.every((s) => s.status === 202)).toBe(true);
    const firstNew = seen.findIndex((s) => s.fingerprint === newFingerprint);
    expect(seen.slice(0, firstNew).every((s) => s.fingerprint === oldFingerprint)).toBe(true);
    // Once installed, every new connection gets the new certificate.
    expect(seen.slice(firstNew).every((s) => s.fingerprint === newFingerprint)).toBe(true);
    expect(securityCount(await scrape(), 'tls.certificate_reloaded', 'reloaded')).toBe(1);
  });

  it('reports clients that fail the handshake as tls.handshake_failed security events', async () => {
    const before = securityCount(await scrape(), 'tls.handshake_failed', 'refused');
    const { port } = new URL(service.url);
    // A client that does not trust the server's CA aborts the handshake with an alert.
    const untrusted = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: true });
      socket.once('secureConnect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(untrusted).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/);
    // Plain HTTP to the TLS port.
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${port}/events`, { method: 'POST' }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end('{}');
    });
    expect(plain).not.toMatch(/^answered 2/);

    const counted = await waitFor('two handshake failures on the metric', async () => {
      const n = securityCount(await scrape(), 'tls.handshake_failed', 'refused');
      return n >= before + 2 ? n : undefined;
    });
    expect(counted).toBe(before + 2);
    await telemetry.shutdown();
    const lines = await waitFor('the handshake failures in the security log', () => {
      const found = readFileSync(securityLogPath, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.event === 'tls.handshake_failed');
      return found.reduce((sum, l) => sum + (l.count as number), 0) >= 2 ? found : undefined;
    });
    expect(lines[0]).toMatchObject({ source: '127.0.0.1', outcome: 'refused', error: expect.any(String) });
  });
});
