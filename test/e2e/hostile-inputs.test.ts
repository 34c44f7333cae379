// Hostile inputs against the blueprint as its own process: a token sent in the wrong place
// reaches no file, values the store could not keep exactly are refused naming the field, the
// content type is matched exactly, a user named "__proto__" reads no prototype, and an existing
// -wal/-shm left 0644 is narrowed to 0600.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { blueprintToml, startBlueprintProcess, startDependencies } from '../support/blueprint.js';
import { freePort, waitFor, type RunningProcess } from '../support/process.js';

const TOKEN = 'hostile-inputs-token-QmFzZTY0LXNoYXBlZA';
const OTHER_TOKEN = 'hostile-inputs-other-token-0123456789';
process.env.BLUEPRINT_INPUTS_TOKEN = TOKEN;
process.env.BLUEPRINT_INPUTS_OTHER = OTHER_TOKEN;

let dir: string;
let deps: DependencyServer[] = [];
let proc: RunningProcess | undefined;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-inputs-'));
  deps = await startDependencies();
  port = await freePort();
  // A store whose -wal and -shm already exist, readable by everyone.
  for (const file of ['events.db', 'events.db-wal', 'events.db-shm']) {
    writeFileSync(join(dir, file), '');
    chmodSync(join(dir, file), 0o644);
  }
  const configPath = join(dir, 'blueprint.toml');
  writeFileSync(
    configPath,
    blueprintToml({
      dbPath: 'events.db',
      deps,
      service: { listen: `127.0.0.1:${port}` },
      storage: { min_batch: 1, max_wait_ms: 5 },
      tenants: {
        checkout: { class: 'latency-sensitive', token_env: 'BLUEPRINT_INPUTS_TOKEN' },
        search: { class: 'latency-sensitive', token_env: 'BLUEPRINT_INPUTS_OTHER' },
      },
      tables: { security: { log: 'security.ndjson', fold_window_ms: 100 } },
    }),
  );
  proc = await startBlueprintProcess(configPath, { log: join(dir, 'events.ndjson') });
}, 60_000);

afterAll(async () => {
  await proc?.stop('SIGKILL');
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

function post(
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `http://127.0.0.1:${port}/events`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const authed = { 'x-tenant': 'checkout', authorization: `Bearer ${TOKEN}` };

describe('hostile inputs', () => {
  it('a token in the wrong header (or as the body) reaches no file', async () => {
    const answers = await Promise.all([
      post('{"type":"a"}', { 'x-tenant': TOKEN }),
      post('{"type":"a"}', { 'x-tenant': `Bearer ${TOKEN}` }),
      post('{"type":"a"}', { 'x-tenant': OTHER_TOKEN, authorization: `Bearer ${TOKEN}` }),
      post('{"type":"a"}', { 'x-tenant': 'search', authorization: `Bearer ${TOKEN}` }),
      post('{"type":"a"}', { 'x-tenant': 'checkout', authorization: TOKEN }),
      post(TOKEN, authed),
      post(`{"type":"${TOKEN}"`, authed),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 400, 400]);
    // Folded lines are written when the window closes (100 ms); the first sightings at once.
    const securityLog = join(dir, 'security.ndjson');
    await waitFor(
      'the security log to name the token by its class',
      () => (readFileSync(securityLog, 'utf8').includes('(a tenant token)') ? true : undefined),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      for (const token of [TOKEN, OTHER_TOKEN])
        expect(bytes.includes(token), `${file} holds a token`).toBe(false);
    }
  });

  it.each([
    ['{"type":"a","payload":{"big":1e400}}', 'event.payload.big: number out of range'],
    ['{"type":"a","payload":{"n":123456789012345678901234567890}}', 'event.payload.n: integer beyond 2^53'],
    ['{"type":"a","payload":{"s":"\\ud800"}}', 'event.payload.s: string holds a lone UTF-16 surrogate'],
    [
      '{"type":"a","payload":{"x":0.12345678901234567890123}}',
      'event.payload.x: number 0.12345678901234567890123 would be stored as 0.12345678901234568',
    ],
    ['{"type":"a","payload":{"tiny":1e-400}}', 'event.payload.tiny: number 1e-400 would be stored as 0'],
  ])('refuses %s with 400 naming the field', async (body, detail) => {
    const answer = await post(body, authed);
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toContain(detail);
  });

  // Bodies of 64 KiB and more are parsed on worker threads: the same refusals, the same answers.
  const pad = 'p'.repeat(100_000);
  it.each([
    [`{"type":"a","payload":{"pad":"${pad}","big":1e400}}`, 'event.payload.big: number out of range'],
    [
      `{"type":"a","payload":{"pad":"${pad}","n":123456789012345678901234567890}}`,
      'event.payload.n: integer beyond 2^53',
    ],
    [
      `{"type":"a","payload":{"pad":"${pad}","s":"\\udc00"}}`,
      'event.payload.s: string holds a lone UTF-16 surrogate',
    ],
    [
      `[{"type":"a"},{"type":"a","payload":{"pad":"${pad}","x":0.10000000000000000001}}]`,
      'events[1].payload.x: number 0.10000000000000000001 would be stored as 0.1',
    ],
  ])('refuses a large body (parse workers) with 400 naming the field: %#', async (body, detail) => {
    const answer = await post(body, authed);
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toContain(detail);
  });

  it('refuses invalid UTF-8 in a large body, and stores a large body exactly as sent', async () => {
    const invalid = Buffer.concat([
      Buffer.from(`{"type":"a","payload":{"pad":"${pad}`),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}}'),
    ]);
    expect(await post(invalid, authed)).toEqual({
      status: 400,
      json: { error: 'invalid_json', detail: 'body: not valid UTF-8' },
    });
    const payload = { pad, n: [1, 0.1, -2.5e-3, 9007199254740991], s: 'é😀\u2028' };
    expect((await post(JSON.stringify({ type: 'large.kept', payload }), authed)).status).toBe(202);
    const store = new Database(join(dir, 'events.db'), { readonly: true });
    try {
      const rows = store.prepare("SELECT payload FROM events WHERE type = 'large.kept'").all() as {
        payload: string;
      }[];
      expect(rows.map((r) => JSON.parse(r.payload) as unknown)).toEqual([payload]);
    } finally {
      store.close();
    }
  });

  it('refuses invalid UTF-8 instead of storing U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from('{"type":"a","payload":{"s":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    expect(await post(body, authed)).toEqual({
      status: 400,
      json: { error: 'invalid_json', detail: 'body: not valid UTF-8' },
    });
  });

  it('matches the content type exactly: application/json-seq is not JSON', async () => {
    for (const type of ['application/json-seq', 'application/jsonl', 'text/json'])
      expect((await post('{"type":"a"}', { ...authed, 'content-type': type })).status).toBe(415);
    expect(
      (await post('{"type":"a"}', { ...authed, 'content-type': 'Application/JSON; charset=utf-8' })).status,
    ).toBe(202);
  });

  it('stores a user named "__proto__" or "constructor" with no enrichment read from a prototype', async () => {
    const answer = await post(
      JSON.stringify([
        { type: 'proto.user', user: '__proto__' },
        { type: 'proto.user', user: 'constructor' },
      ]),
      authed,
    );
    expect(answer.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const store = new Database(join(dir, 'events.db'), { readonly: true });
    try {
      const rows = store.prepare("SELECT enrichment FROM events WHERE type = 'proto.user'").all() as {
        enrichment: string;
      }[];
      expect(rows).toHaveLength(2);
      for (const row of rows)
        for (const value of Object.values(JSON.parse(row.enrichment) as Record<string, unknown>))
          expect(value === null || typeof value === 'string').toBe(true);
    } finally {
      store.close();
    }
  });

  it('narrows an existing -wal and -shm to 0600', () => {
    for (const file of ['events.db', 'events.db-wal', 'events.db-shm'])
      expect((statSync(join(dir, file)).mode & 0o777).toString(8), file).toBe('600');
  });
});
