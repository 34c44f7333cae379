import { describe, expect, it } from 'vitest';
import { countTopLevelElements, parseEvents } from '../../examples/blueprint/event-validation.js';

const limits = { maxEventsPerRequest: 10, maxDepth: 4 };

describe('event validation', () => {
  it('accepts one event or an array of them', () => {
    const one = parseEvents(
      '{"type":"page.viewed","timestamp":"2024-01-02T03:04:05Z","payload":{"a":{"b":1}}}',
      limits,
    );
    expect(one).toEqual({
      ok: true,
      events: [
        expect.objectContaining({ type: 'page.viewed', timestamp: Date.parse('2024-01-02T03:04:05Z') }),
      ],
    });
    const many = parseEvents(JSON.stringify([{ type: 'a' }, { type: 'b', id: 'x', user: 'u' }]), limits);
    expect(many.ok && many.events.length).toBe(2);
  });

  it.each([
    ['{"type": ', 'invalid_json', /not valid JSON/],
    ['[]', 'invalid_event', /at least one event/],
    ['"text"', 'invalid_event', /event: expected an object, got string/],
    ['{"type": 42}', 'invalid_event', /event\.type: expected a string, got number/],
    [
      '[{"type":"a"},{"type":"a","payload":[1]}]',
      'invalid_event',
      /events\[1\]\.payload: expected an object, got an array/,
    ],
    ['{"type":"a","admin":true}', 'invalid_event', /unknown field "admin"/],
    ['{"type":"a","timestamp":-5}', 'invalid_event', /timestamp/],
    ['{"type":"1bad"}', 'invalid_event', /event\.type/],
    [JSON.stringify(Array.from({ length: 11 }, () => ({ type: 'a' }))), 'invalid_event', /at most 10 events/],
  ])('rejects %s', (body, reason, detail) => {
    const result = parseEvents(body, limits);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail).toMatch(detail);
    }
  });

  it('rejects hostile nesting without recursing into it', () => {
    const deep = `{"type":"a","payload":${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const result = parseEvents(deep, limits);
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid_event',
      detail: 'event.payload: nested deeper than 4 levels',
    });
    const deepArray = `{"type":"a","payload":{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    expect(parseEvents(deepArray, limits)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/nested deeper/),
    });
  });

  it.each([
    ['{"type":"a","payload":{"big":1e400}}', /event\.payload\.big: number out of range/],
    [
      '{"type":"a","payload":{"n":123456789012345678901234567890}}',
      /event\.payload\.n: integer beyond 2\^53/,
    ],
    [
      '[{"type":"a"},{"type":"a","payload":{"list":[1,9007199254740993]}}]',
      /events\[1\]\.payload\.list\[1\]: integer beyond/,
    ],
    ['{"type":"a","payload":{"s":"\\ud800x"}}', /event\.payload\.s: string holds a lone UTF-16 surrogate/],
    ['{"type":"a","user":"\\udc00"}', /event\.user: string holds a lone UTF-16 surrogate/],
  ])('refuses a value it could not store exactly, naming the field: %s', (body, detail) => {
    expect(parseEvents(body, limits)).toMatchObject({
      ok: false,
      reason: 'invalid_event',
      detail: expect.stringMatching(detail),
    });
  });

  it('keeps numbers that round-trip and well-formed surrogate pairs', () => {
    const result = parseEvents(
      '{"type":"a","payload":{"n":9007199254740991,"x":0.1,"e":"\\ud83d\\ude00"}}',
      limits,
    );
    expect(result).toMatchObject({
      ok: true,
      events: [{ payload: { n: 9007199254740991, x: 0.1, e: '😀' } }],
    });
  });

  it('counts the events of a large body without parsing it, and refuses too many before JSON.parse', () => {
    expect(countTopLevelElements('[{"a":"],["},[1,2],3, "x,y" ]', 100)).toBe(4);
    expect(countTopLevelElements(' [ ] ', 100)).toBe(0);
    expect(countTopLevelElements('{"a":[1,2]}', 100)).toBe(1);
    expect(countTopLevelElements(`[${'{},'.repeat(1000)}{}]`, 10)).toBe(11);
    const body = `[${Array.from({ length: 11 }, () => JSON.stringify({ type: 'a', payload: { pad: 'x'.repeat(8000) } })).join(',')}]`;
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(parseEvents(body, limits)).toMatchObject({
      ok: false,
      detail: 'body: at most 10 events per request, got more',
    });
  });

  it('names "__proto__" like any other field and never reads the prototype', () => {
    const result = parseEvents('{"type":"a","user":"__proto__","payload":{"__proto__":{"x":1}}}', limits);
    expect(result.ok && result.events[0]!.user).toBe('__proto__');
    expect(result.ok && Object.hasOwn(result.events[0]!.payload!, '__proto__')).toBe(true);
  });
});
