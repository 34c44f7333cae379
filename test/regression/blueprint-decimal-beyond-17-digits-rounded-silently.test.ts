// Regression (issue 23): "inputs are kept exactly or refused", yet a decimal with more significant
// digits than a double holds (0.12345678901234567890123) was answered 202 and stored rounded
// (0.12345678901234568); only 1e400 and integers beyond 2^53 were refused. Here the blueprint runs
// in process: such a number is refused with 400 naming the field, in a small body parsed on the
// event loop and in a large one parsed on the worker pool, and nothing of either is stored, while
// other spellings of exact values (1.0, 1e2, -0) are stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import {
  postAsAcme,
  startAcmeBlueprint,
  storedPayloads,
  type InProcessBlueprint,
} from '../support/in-process-blueprint.js';

const TOKEN = 'regression-decimal-token-0123456789';
let blueprint: InProcessBlueprint;
let service: BlueprintService;
beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-decimal-', TOKEN);
  ({ service } = blueprint);
});

afterAll(() => blueprint?.stop());

const post = (body: string) => postAsAcme(blueprint, TOKEN, body);

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
    expect(storedPayloads(blueprint, 'decimal.kept')).toEqual([]);
  });

  it('stores other spellings of exact values, and the same value from the loop and from the workers', async () => {
    const numbers = '[1.0, 1e2, -0, 0.1, 0.30000000000000004, 123.4500]';
    for (const padding of ['', pad]) {
      const body = `{"type":"decimal.exact","payload":{"pad":"${padding}","n":${numbers}}}`;
      expect((await post(body)).status).toBe(202);
    }
    const stored = storedPayloads(blueprint, 'decimal.exact').map((p) => JSON.parse(p) as { n: number[] });
    expect(stored).toHaveLength(2);
    for (const payload of stored) expect(payload.n).toEqual([1, 100, 0, 0.1, 0.30000000000000004, 123.45]);
  });
});
