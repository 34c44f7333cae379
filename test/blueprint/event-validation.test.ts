import { describe, expect, it } from 'vitest';
import { parseEvents } from '../../examples/blueprint/event-validation.js';

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
});
