// The blueprint's security-event stream and tainted input, end to end in-process against real
// sockets and real files: a flood of 10,000 bad-token requests from four client addresses folds
// into a bounded number of security lines whose counts add up to 10,000 (and the application log
// holds none of them); a body carrying a newline, a fake JSON envelope and an ANSI escape stays
// one escaped field of one line in the application log.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../examples/blueprint/scrape.js';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import type { TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { blueprintToml } from '../support/blueprint.js';
import { startInProcessBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';
import { waitFor } from '../support/process.js';

const TOKEN = 'acme-security-token-0123456789';
const FLOOD = 10_000;
const SOURCES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const FOLD_WINDOW_MS = 500;
const MAX_LINES_PER_WINDOW = 20;

let blueprint: InProcessBlueprint;
let telemetry: TelemetryPort;
let service: BlueprintService;
let logPath: string;
let securityLogPath: string;

function readJsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** One POST /events from `localAddress` (any 127.x address is loopback on Linux). */
function post(
  agent: Agent,
  body: string,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${service.url}/events`,
      {
        method: 'POST',
        agent,
        localAddress,
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  blueprint = await startInProcessBlueprint({
    prefix: 'blueprint-security-',
    toml: (dir, deps) =>
      blueprintToml({
        dbPath: join(dir, 'events.db'),
        deps,
        tenants: { acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' } },
      }),
    telemetry: (dir) => ({
      logDestination: (logPath = join(dir, 'events.ndjson')),
      securityLogDestination: (securityLogPath = join(dir, 'security.ndjson')),
      securityLog: { foldWindowMs: FOLD_WINDOW_MS, maxLinesPerWindow: MAX_LINES_PER_WINDOW },
    }),
    env: { ACME_TOKEN: TOKEN },
  });
  ({ telemetry, service } = blueprint);
});

afterAll(() => blueprint?.stop());

describe('blueprint security events and tainted input', () => {
  it('keeps a log-injection attempt in one escaped field of one application-log line', async () => {
    const agent = new Agent({ keepAlive: true });
    const fake = '{"level":"fatal","event":"batch.stored","service":"blueprint","batch_size":999}';
    const hostile = JSON.stringify([{ type: `bad type\n${fake}`, id: `evt-1\r\n${fake}\u001b[2J` }]);
    const answer = await post(agent, hostile, { authorization: `Bearer ${TOKEN}` });
    agent.destroy();
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_event' });

    const lines = await waitFor('the rejection line', () => {
      const text = readFileSync(logPath, 'utf8');
      return text.includes('"event.rejected"') ? text.split('\n').filter((l) => l !== '') : undefined;
    });
    // Every line is one JSON object; none is the forged one.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.some((l) => l.level === 'fatal' || l.batch_size === 999)).toBe(false);
    const rejected = parsed.filter((l) => l.event === 'event.rejected');
    expect(rejected).toHaveLength(1);
    const line = rejected[0]!;
    expect(line.reason).toBe('invalid_event');
    // The newline, CR and ESC arrive as visible escapes inside the field, the forged JSON as text.
    for (const field of [line.detail, line.event_id] as string[]) {
      expect(field).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(field).toContain(fake.slice(0, 40));
    }
    expect(line.detail).toContain('bad type\\n{"level":"fatal"');
    expect(line.event_id).toBe(`evt-1\\r\\n${fake}\\x1b[2J`);
  });

  it(`folds ${FLOOD.toLocaleString('en')} bad-token requests into a bounded number of security lines that count them all`, async () => {
    const agents = SOURCES.map(() => new Agent({ keepAlive: true, maxSockets: 16 }));
    const statuses: Record<number, number> = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async (_, worker) => {
        const source = worker % SOURCES.length;
        while (next < FLOOD) {
          const n = next++;
          const headers: Record<string, string> =
            n % 2 === 0 ? {} : { authorization: `Bearer wrong-token-${n.toString().padStart(12, '0')}` };
          const { status } = await post(agents[source]!, '{"type":"x"}', headers, SOURCES[source]);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    for (const agent of agents) agent.destroy();
    expect(statuses).toEqual({ 401: FLOOD });

    // Every one counted on the metric, folded or not.
    const samples = parseExposition(await (await fetch(`${service.adminUrl}/metrics`)).text());
    const counted = (outcome: string) =>
      samples.find(
        (s) =>
          s.name === 'plumbline_security_events_total' &&
          s.labels.event === 'auth.failed' &&
          s.labels.outcome === outcome,
      )?.value;
    expect(counted('missing_token')).toBe(FLOOD / 2);
    expect(counted('wrong_token')).toBe(FLOOD / 2);

    await telemetry.shutdown();
    const security = await waitFor('every folded summary in the security log', () => {
      const lines = readJsonLines(securityLogPath);
      const total = lines
        .filter((l) => l.event === 'auth.failed')
        .reduce((sum, l) => sum + (l.count as number), 0);
      return total >= FLOOD ? lines : undefined;
    });
    const auth = security.filter((l) => l.event === 'auth.failed');
    expect(auth.reduce((sum, l) => sum + (l.count as number), 0)).toBe(FLOOD);
    // Per window at most one first line and one summary per source and outcome (the stream folds
    // by event, source and outcome; this flood has two outcomes): bounded by time, not traffic.
    const outcomes = new Set(auth.map((l) => l.outcome)).size;
    expect(outcomes).toBe(2);
    const seconds = (Date.parse(auth.at(-1)!.time as string) - Date.parse(auth[0]!.time as string)) / 1000;
    const windows = Math.ceil((seconds * 1000) / FOLD_WINDOW_MS) + 2;
    expect(auth.length).toBeLessThanOrEqual(windows * SOURCES.length * outcomes * 2);
    expect(auth.length).toBeLessThan(FLOOD / 20);
    expect(new Set(auth.map((l) => l.source))).toEqual(new Set(SOURCES));
    const summaries = auth.filter((l) => l.summary === true);
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) {
      expect(summary).toMatchObject({
        source: expect.any(String),
        count: expect.any(Number),
        first_time: expect.any(String),
        last_time: expect.any(String),
        sample: { source: summary.source, tenant: 'acme' },
      });
    }
    // No token or authorization value, right or wrong, in the security stream.
    const text = readFileSync(securityLogPath, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('wrong-token-');

    // The application log holds none of them: unauthenticated clients never write to it.
    const app = readJsonLines(logPath);
    expect(app.filter((l) => l.event === 'auth.failed' || l.reason === 'unauthorized')).toEqual([]);
    expect(app.filter((l) => l.event === 'event.rejected')).toHaveLength(1);
  });
});
