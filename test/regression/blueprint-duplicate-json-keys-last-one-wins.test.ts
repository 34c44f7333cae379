// Regression (finding F5 of a hostile-client trial): a body with a key repeated in one object,
// `{"type":"a","type":"b"}`, was answered 202 and stored as type "b": JSON.parse keeps the last
// value, and the first was lost without a word. Now a repeated key in any object at any depth, an
// event or its payload, is refused with 400 naming the object and the key, in a small body parsed
// on the event loop and in a large one parsed on the worker pool, and nothing of the body is stored.
// Keys are compared as JSON.parse decodes them, so "a" and "\u0061" are one key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvents } from '../../examples/blueprint/event-validation.js';
import type { BlueprintService } from '../../examples/blueprint/service.js';
import {
  postAsAcme,
  startAcmeBlueprint,
  storedPayloads,
  type InProcessBlueprint,
} from '../support/in-process-blueprint.js';

const TOKEN = 'regression-duplicate-keys-token-0123456789';
let blueprint: InProcessBlueprint;
let service: BlueprintService;
beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-duplicate-keys-', TOKEN);
  ({ service } = blueprint);
});

afterAll(() => blueprint?.stop());

const post = (body: string) => postAsAcme(blueprint, TOKEN, body);

const limits = { maxEventsPerRequest: 100, maxDepth: 8 };

describe('regression: a duplicate JSON key was accepted and the last one won', () => {
  it('refuses the trial body with 400 naming the field, and stores neither type', async () => {
    expect(await post('{"type":"dup.first","type":"dup.last"}')).toEqual({
      status: 400,
      json: { error: 'invalid_event', detail: 'event: duplicate field "type"' },
    });
    expect(storedPayloads(blueprint, 'dup.first')).toEqual([]);
    expect(storedPayloads(blueprint, 'dup.last')).toEqual([]);
  });

  it.each([
    ['on the event loop', ''],
    ['on the parse workers', 'x'.repeat(100_000)],
  ])('refuses a payload key repeated deep in a batch, %s, and stores none of it', async (_where, pad) => {
    const parsedBefore = service.stats.parsePool.parsed;
    const body = JSON.stringify([
      { type: 'dup.kept', payload: { pad } },
      { type: 'dup.kept', id: 'order-1', payload: { pad, order: { amount: 'FIRST' } } },
    ]).replace('"FIRST"', '100,"amount":1');
    expect(await post(body)).toEqual({
      status: 400,
      json: { error: 'invalid_event', detail: 'events[1].payload.order: duplicate field "amount"' },
    });
    expect(service.stats.parsePool.parsed - parsedBefore).toBe(pad === '' ? 0 : 1);
    expect(storedPayloads(blueprint, 'dup.kept')).toEqual([]);
  });

  it('stores the same key in sibling and nested objects, once in each', async () => {
    const body =
      '[{"type":"dup.none","payload":{"x":1,"o":{"x":2},"list":[{"x":3},{"x":4}]}},' +
      '{"type":"dup.none","payload":{"o":{"x":5},"x":6}}]';
    expect(await post(body)).toEqual({ status: 202, json: { accepted: 2, degraded: false } });
    expect(storedPayloads(blueprint, 'dup.none').map((p) => JSON.parse(p) as unknown)).toEqual([
      { x: 1, o: { x: 2 }, list: [{ x: 3 }, { x: 4 }] },
      { o: { x: 5 }, x: 6 },
    ]);
  });

  it.each([
    ['{"type":"a","payload":{"a":{"x":1,"y":2,"x":3}}}', 'event.payload.a: duplicate field "x"'],
    ['{"type":"a","payload":{"list":[{"k":1},{"k":1,"k":2}]}}', 'event.payload.list[1]: duplicate field "k"'],
    ['{"type":"a","payload":{},"payload":{"x":1}}', 'event: duplicate field "payload"'],
    // Escaped keys are compared decoded: JSON.parse makes one property of them.
    ['{"type":"a","payload":{"a":1,"\\u0061":2}}', 'event.payload: duplicate field "a"'],
    ['{"type":"a","payload":{"a\\"b":1,"a\\u0022b":2}}', 'event.payload: duplicate field "a\\"b"'],
    ['{"type":"a","payload":{"__proto__":1,"__proto__":2}}', 'event.payload: duplicate field "__proto__"'],
    [
      '{"type":"a","payload":{"__proto__":{},"\\u005f_proto__":{}}}',
      'event.payload: duplicate field "__proto__"',
    ],
    // The first value would fail the event's checks, the last passes them: refused all the same.
    ['{"type":"1bad","type":"good"}', 'event: duplicate field "type"'],
  ])('refuses %s naming the object and the key', (body, detail) => {
    expect(parseEvents(body, limits)).toEqual({ ok: false, reason: 'invalid_event', detail });
  });

  it('names the event by its id, and cuts a long key to 64 characters', () => {
    const key = 'k'.repeat(100);
    const body = `[{"type":"a"},{"type":"a","id":"e2","payload":{"${key}":1,"${key}":2}}]`;
    expect(parseEvents(body, limits)).toEqual({
      ok: false,
      reason: 'invalid_event',
      detail: `events[1].payload: duplicate field "${'k'.repeat(64)}"`,
      eventId: 'e2',
    });
  });

  it('keeps keys that differ, escaped or not, and "__proto__" once', () => {
    const body =
      '{"type":"a","payload":{"a":1,"\\u0061b":2,"A":3,"a ":4,"__proto__":{"x":1},"x":{"__proto__":5}}}';
    const result = parseEvents(body, limits);
    expect(result.ok).toBe(true);
    expect(result.ok && Object.keys(result.events[0]!.payload!)).toEqual([
      'a',
      'ab',
      'A',
      'a ',
      '__proto__',
      'x',
    ]);
  });

  it('finds a repeat among 100,000 keys of one object, the first key or the last', () => {
    for (const count of [2, 100_000]) {
      const keys = Array.from({ length: count }, (_, i) => `"key${i}":${i}`);
      const unique = `{"type":"a","payload":{${keys.join(',')}}}`;
      expect(parseEvents(unique, limits).ok, `${count} keys`).toBe(true);
      for (const repeated of [0, count - 1]) {
        const body = `{"type":"a","payload":{${keys.join(',')},"key${repeated}":-1}}`;
        expect(parseEvents(body, limits), `${count} keys, key${repeated} again`).toEqual({
          ok: false,
          reason: 'invalid_event',
          detail: `event.payload: duplicate field "key${repeated}"`,
        });
      }
    }
  });

  it('finds the first repeat in the text, spaces around the colon and in a replaced value', () => {
    expect(parseEvents('{"type":"a","payload":{ "o" : {"x":1, "x" :2} , "o" : {} }}', limits)).toEqual({
      ok: false,
      reason: 'invalid_event',
      detail: 'event.payload.o: duplicate field "x"',
    });
  });
});
