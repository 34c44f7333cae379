// The blueprint in-process against real dependency servers and a real SQLite file.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../examples/blueprint/config.js';
import { startDependency, type DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { blueprintToml } from '../support/blueprint.js';
import { countStoredEvents } from '../../examples/blueprint/event-store.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { waitFor } from '../support/process.js';

function readJsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
let geo: DependencyServer;
let profile: DependencyServer;
let telemetry: TelemetryPort;
let service: BlueprintService;
let dbPath: string;
let logPath: string;
let securityLogPath: string;
const TOKEN = 'acme-test-token-0123456789';
/** Events the service answered 202 for, counted from the answers. */
let acceptedEvents = 0;

async function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${service.url}/events`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tenant': 'acme',
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (res.statusCode === 202) acceptedEvents += json.accepted as number;
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-'));
  dbPath = join(dir, 'events.db');
  logPath = join(dir, 'events.ndjson');
  securityLogPath = join(dir, 'security.ndjson');
  geo = await startDependency('geo');
  profile = await startDependency('profile');
  const config = parseConfig(
    blueprintToml({
      dbPath,
      deps: [geo, profile],
      tenants: { acme: { class: 'latency-sensitive', queue_bound: 500, token_env: 'ACME_TOKEN' } },
      tables: { ingress: { max_body_bytes: 4096, max_events_per_request: 20 } },
    }),
  );
  telemetry = await openTelemetry({ logDestination: logPath, securityLogDestination: securityLogPath });
  service = await startBlueprint(config, telemetry, { env: { ACME_TOKEN: TOKEN } });
});

afterAll(async () => {
  await service?.drain();
  await telemetry?.shutdown();
  await geo?.close();
  await profile?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('blueprint service', () => {
  it('stores valid events, enriched by both dependencies, and answers 202 after the commit', async () => {
    const answer = await post(
      JSON.stringify([
        { type: 'page.viewed', user: 'u1' },
        { type: 'page.viewed', user: 'u2' },
      ]),
    );
    expect(answer).toMatchObject({ status: 202, json: { accepted: 2, degraded: false } });
    expect(countStoredEvents(dbPath, { tenant: 'acme', degraded: false })).toBeGreaterThanOrEqual(2);
  });

  it('answers hostile bodies with a clear 4xx and keeps serving', async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ['{"type": "a",', {}, 400, 'invalid_json'],
      ['{"type": ["a"]}', {}, 400, 'invalid_event'],
      [`{"type":"a","payload":${'['.repeat(1500)}${']'.repeat(1500)}}`, {}, 400, 'invalid_event'],
      ['x'.repeat(10_000), {}, 413, 'body_too_large'],
      ['{"type":"a"}', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
      ['{"type":"a"}', { 'x-tenant': 'intruder' }, 401, 'unauthorized'],
      ['{"type":"a"}', { authorization: 'Bearer not-the-acme-token' }, 401, 'unauthorized'],
      ['{"type":"a"}', { authorization: '' }, 401, 'unauthorized'],
      ['{"type":"a"}', { authorization: `Basic ${TOKEN}` }, 401, 'unauthorized'],
      ['\u0000\uffff{', {}, 400, 'invalid_json'],
      ['null', {}, 400, 'invalid_event'],
    ];
    for (const [body, headers, status, reason] of cases) {
      const answer = await post(body, headers);
      expect({ status: answer.status, error: answer.json.error }).toEqual({ status, error: reason });
      expect(typeof answer.json.detail).toBe('string');
    }
    expect((await post('{"type":"still.alive"}')).status).toBe(202);
  });

  it('answers an unknown tenant exactly as a wrong token, so tenants cannot be enumerated', async () => {
    const answers = await Promise.all([
      post('{"type":"a"}', { 'x-tenant': 'intruder' }),
      post('{"type":"a"}', { 'x-tenant': 'intruder', authorization: '' }),
      post('{"type":"a"}', { authorization: 'Bearer not-the-acme-token' }),
      post('{"type":"a"}', { authorization: '' }),
    ]);
    const visible = answers.map((a) => ({
      status: a.status,
      json: a.json,
      challenge: a.headers['www-authenticate'],
    }));
    for (const answer of visible) expect(answer).toEqual(visible[2]);
    expect(visible[2]).toMatchObject({ status: 401, json: { error: 'unauthorized' }, challenge: 'Bearer' });
  });

  it('goes on with partial enrichment when a dependency is down: degraded, never a client error', async () => {
    profile.setFaults({ failureRate: 1 });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(JSON.stringify({ type: 'click', user: `user-${i}` }))),
    );
    profile.setFaults({ failureRate: 0 });
    expect(statuses.map((s) => s.status)).toEqual(Array(20).fill(202));
    expect(statuses.every((s) => s.json.degraded === true)).toBe(true);
    expect(countStoredEvents(dbPath, { degraded: true })).toBe(20);
  });

  it('goes on within the budget when a dependency is slower than it', async () => {
    geo.setFaults({ latencyMs: 400, jitterMs: 0 });
    const answer = await post('{"type":"slow.dep"}');
    geo.setFaults({ latencyMs: 2, jitterMs: 3 });
    expect(answer).toMatchObject({ status: 202, json: { degraded: true } });
  });

  it('reports readiness with queue state on /healthz', async () => {
    const res = await fetch(`${service.adminUrl}/healthz`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      status: string;
      queues: { bound: number }[];
      slos: { name: string; firing: string[] }[];
    };
    // The bound is the admission budget (requests), derived from the measured capacity x deadline.
    expect(report).toMatchObject({ queues: [{ tenant: 'acme', depth: 0 }] });
    // Degraded only by the enrichment SLO, which the failing dependency above burnt on purpose.
    const firing = report.slos.filter((s) => s.firing.length > 0).map((s) => s.name);
    expect(firing.filter((name) => name !== 'enrichment')).toEqual([]);
    expect(report.status).toBe(firing.length === 0 ? 'ready' : 'degraded');
    expect(report.queues[0]!.bound).toBeGreaterThanOrEqual(1);
  });

  it('serves the spec metrics on /metrics', async () => {
    const text = await (await fetch(`${service.adminUrl}/metrics`)).text();
    expect(text).toMatch(
      /blueprint_ingress_decisions_total\{tenant="acme",class="latency-sensitive",decision="rejected",reason="invalid_json"\} 2/,
    );
    expect(text).toMatch(
      /http_server_request_duration_seconds_bucket\{http_request_method="POST",http_route="\/events",http_response_status_code="202",url_scheme="http",tenant="acme",class="latency-sensitive",outcome="degraded",le="\+Inf"\} 21/,
    );
    expect(text).toMatch(/blueprint_batch_size_count \d+/);
  });

  it('serves only POST /events on the public listener: metrics and health are admin-only', async () => {
    for (const path of ['/metrics', '/healthz']) {
      const res = await fetch(`${service.url}${path}`);
      expect(res.status, path).toBe(404);
    }
    expect(service.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(service.adminPort).not.toBe(service.port);
  });

  it('creates the store and the log files readable by the owner only (0600)', () => {
    for (const path of [dbPath, `${dbPath}-wal`, logPath, securityLogPath])
      expect((statSync(path).mode & 0o777).toString(8), path).toBe('600');
  });

  it('drains: refuses new work with 503 and the store holds exactly the accepted events', async () => {
    // Slow enough that requests are still queued or enriching when the drain starts.
    geo.setFaults({ latencyMs: 40, jitterMs: 0 });
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      post(JSON.stringify([{ type: 'drain', user: `d${i}` }, { type: 'drain' }])).catch(() => ({
        status: 0,
        json: {},
      })),
    );
    while (service.health().inFlight.current < 10) await new Promise((resolve) => setTimeout(resolve, 2));
    const drained = service.drain();
    const late = await post('{"type":"too.late"}').catch(() => ({ status: 0, json: {} }));
    const answers = await Promise.all(inFlight);
    await drained;
    expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(10);
    // Refused (503 draining) or not even connected once the listener closed: never stored.
    expect([0, 503]).toContain(late.status);
    expect(countStoredEvents(dbPath)).toBe(acceptedEvents);
    const log = readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const batches = log.filter((l) => l.event === 'batch.stored');
    expect(batches.reduce((sum, b) => sum + (b.batch_size as number), 0)).toBe(acceptedEvents);
    expect(batches.every((b) => (b.batch_size as number) <= 100)).toBe(true);
    expect(
      log.some((l) => l.event === 'enrichment.degraded' && (l.missing_deps as string[]).includes('profile')),
    ).toBe(true);
    expect(log.some((l) => l.event === 'event.rejected' && l.reason === 'body_too_large')).toBe(true);
    // Unauthenticated requests never reach the application log; security events never do.
    expect(log.some((l) => l.reason === 'unauthorized' || l.reason === 'unknown_tenant')).toBe(false);
    expect(
      log.some((l) => ['auth.failed', 'request.refused', 'config.loaded'].includes(l.event as string)),
    ).toBe(false);
    await telemetry.shutdown();
    // The last window's summaries are written at shutdown; the file catches up a moment later.
    const security = await waitFor('the security summaries', () => {
      const lines = readJsonLines(securityLogPath);
      return lines.reduce((sum, l) => sum + (l.count as number), 0) >= 16 ? lines : undefined;
    });
    const count = (event: string) =>
      security.filter((l) => l.event === event).reduce((sum, l) => sum + (l.count as number), 0);
    expect(count('config.loaded')).toBe(1);
    // 4 in the hostile-bodies test, 4 in the enumeration test.
    expect(count('auth.failed')).toBe(8);
    // invalid_json x2, invalid_event x3, body_too_large, unsupported_media_type.
    expect(count('request.refused')).toBe(7);
    expect(security.find((l) => l.event === 'config.loaded')).toMatchObject({
      outcome: 'loaded',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      tenants: 1,
      tls: false,
    });
    expect(readFileSync(securityLogPath, 'utf8')).not.toContain(TOKEN);
  });
});
