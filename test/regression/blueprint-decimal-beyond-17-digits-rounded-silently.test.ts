// Regression (issue 23): "inputs are kept exactly or refused", yet a decimal with more significant
// digits than a double holds (0.12345678901234567890123) was answered 202 and stored rounded
// (0.12345678901234568); only 1e400 and integers beyond 2^53 were refused. Here the blueprint runs
// in process: such a number is refused with 400 naming the field, in a small body parsed on the
// event loop and in a large one parsed on the worker pool, and nothing of either is stored, while
// other spellings of exact values (1.0, 1e2, -0) are stored.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import { blueprintToml } from '../support/blueprint.js';
import { startInProcessBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-decimal-token-0123456789';
let blueprint: InProcessBlueprint;
let dir: string;
let service: BlueprintService;

beforeAll(async () => {
  blueprint = await startInProcessBlueprint({
    prefix: 'blueprint-decimal-',
    toml: (dir, deps) =>
      blueprintToml({
        dbPath: join(dir, 'events.db'),
        deps,
        storage: { min_batch: 1, max_wait_ms: 5 },
        tenants: { acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' } },
      }),
    telemetry: (dir) => ({
      logDestination: join(dir, 'events.ndjson'),
      securityLogDestination: join(dir, 'security.ndjson'),
    }),
    env: { ACME_TOKEN: TOKEN },
  });
  ({ dir, service } = blueprint);
});

afterAll(() => blueprint?.stop());

async function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${service.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'acme', authorization: `Bearer ${TOKEN}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function storedPayloads(type: string): string[] {
  const store = new Database(join(dir, 'events.db'), { readonly: true });
  try {
    return (
      store.prepare('SELECT payload FROM events WHERE type = ?').all(type) as { payload: string }[]
    ).map((r) => r.payload);
  } finally {
    store.close();
  }
}

describe('regression: a decimal beyond 17 significant digits was stored rounded', () => {
  const pad = 'x'.repeat(100_000);

  it.each([
    ['on the event loop', ''],
    ['on the parse workers', pad],
  ])('refuses it with 400 naming the field, %s', async (_where, padding) => {
    const parsedBefore = service.stats.parsePool.parsed;
    const answer = await post(
      JSON.stringify([
        { type: 'decimal.kept', payload: { pad: padding } },
        { type: 'decimal.kept', id: 'price-1', payload: { pad: padding, price: 'PRICE' } },
      ]).replace('"PRICE"', '0.12345678901234567890123'),
    );
    expect(answer).toEqual({
      status: 400,
      json: {
        error: 'invalid_event',
        detail:
          'events[1].payload.price: number 0.12345678901234567890123 would be stored as 0.12345678901234568; send it as a string',
      },
    });
    expect(service.stats.parsePool.parsed - parsedBefore).toBe(padding === '' ? 0 : 1);
    expect(storedPayloads('decimal.kept')).toEqual([]);
  });

  it('stores other spellings of exact values, and the same value from the loop and from the workers', async () => {
    const numbers = '[1.0, 1e2, -0, 0.1, 0.30000000000000004, 123.4500]';
    for (const padding of ['', pad]) {
      const body = `{"type":"decimal.exact","payload":{"pad":"${padding}","n":${numbers}}}`;
      expect((await post(body)).status).toBe(202);
    }
    const stored = storedPayloads('decimal.exact').map((p) => JSON.parse(p) as { n: number[] });
    expect(stored).toHaveLength(2);
    for (const payload of stored) expect(payload.n).toEqual([1, 100, 0, 0.1, 0.30000000000000004, 123.45]);
  });
});
