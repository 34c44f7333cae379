// Regression: a legal 1 MiB body, one event whose payload holds 500,000 numbers, was answered
// 503 "timeout" (not stored within 250 ms) and counted as an availability error: the validation
// walk that looks for lone surrogates built a path string for every array element (212-471 ms for
// this body, against 8-24 ms for JSON.parse), so any client could burn the SLO with valid
// requests (a hostile-client trial: 7 such requests took the error budget to -0.49). The walk now
// checks scalars where they stand and spells out a path only for the string it reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvents } from '../../examples/blueprint/event-validation.js';
import {
  postAsAcme,
  startAcmeBlueprint,
  storedPayloads,
  type InProcessBlueprint,
} from '../support/in-process-blueprint.js';

const TOKEN = 'regression-large-array-token-0123456789';
let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-large-array-', TOKEN);
});

afterAll(() => blueprint?.stop());

const post = (body: string) => postAsAcme(blueprint, TOKEN, body);

const stored = (type: string): string[] => storedPayloads(blueprint, type);

describe('regression: a 1 MiB body of 500,000 numbers timed out', () => {
  it('accepts and stores it, and one of 50,000 small objects', async () => {
    const numbers = { n: Array.from({ length: 500_000 }, () => 1) };
    const numbersBody = JSON.stringify({ type: 'large.numbers', payload: numbers });
    expect(numbersBody.length).toBeGreaterThan(1_000_000);
    expect(await post(numbersBody)).toEqual({ status: 202, json: { accepted: 1, degraded: false } });
    const objects = { list: Array.from({ length: 50_000 }, (_, i) => ({ i })) };
    expect(await post(JSON.stringify({ type: 'large.objects', payload: objects }))).toEqual({
      status: 202,
      json: { accepted: 1, degraded: false },
    });
    expect(stored('large.numbers').map((payload) => JSON.parse(payload) as unknown)).toEqual([numbers]);
    expect(stored('large.objects').map((payload) => JSON.parse(payload) as unknown)).toEqual([objects]);
  });

  it('still names the path of a lone surrogate deep in an array, in a value and in a key', () => {
    const limits = { maxEventsPerRequest: 100, maxDepth: 8 };
    const deep = '[{"type":"a"},{"type":"b","payload":{"list":[1,"ok",{"s":"\\uD800"}]}}]';
    expect(parseEvents(deep, limits)).toMatchObject({
      ok: false,
      detail: 'events[1].payload.list[2].s: string holds a lone UTF-16 surrogate',
    });
    expect(parseEvents('{"type":"a","payload":{"m":[["x","\\uDC00"]]}}', limits)).toMatchObject({
      ok: false,
      detail: 'event.payload.m[0][1]: string holds a lone UTF-16 surrogate',
    });
    expect(parseEvents('{"type":"a","payload":{"k":{"\\uD800":1}}}', limits)).toMatchObject({
      ok: false,
      detail: 'event.payload.k: a key holds a lone UTF-16 surrogate',
    });
  });
});
