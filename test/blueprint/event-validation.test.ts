import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countTopLevelElements,
  parseBytes,
  parseEvents,
  roundTrips,
  scanSource,
} from '../../examples/blueprint/event-validation.js';

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

  it.each([
    [
      '{"type":"a","payload":{"x":0.12345678901234567890123}}',
      'event.payload.x: number 0.12345678901234567890123 would be stored as 0.12345678901234568; send it as a string',
    ],
    [
      '[{"type":"a"},{"type":"a","id":"e2","payload":{"list":[1, 2.5, 3.14159265358979323846]}}]',
      'events[1].payload.list[2]: number 3.14159265358979323846 would be stored as 3.141592653589793; send it as a string',
    ],
    ['{"type":"a","payload":{"tiny":1e-400}}', 'event.payload.tiny: number 1e-400 would be stored as 0'],
    [
      '{"type":"a","payload":{"sub":4.9e-324}}',
      'event.payload.sub: number 4.9e-324 would be stored as 5e-324',
    ],
    ['{"type":"a","timestamp":1700000000000.0000001}', 'event.timestamp: number 1700000000000.0000001'],
    [
      '{"type":"a","payload":{"a\\"b,c":{"d":[0, 123456789012345.678]}}}',
      'event.payload.a"b,c.d[1]: number 123456789012345.678 would be stored as 123456789012345.67',
    ],
  ])('refuses a decimal a double would round, naming the field: %s', (body, detail) => {
    const result = parseEvents(body, limits);
    expect(result).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(!result.ok && result.detail).toContain(detail);
  });

  it('names the event of a rounded decimal by its id', () => {
    const result = parseEvents(
      '[{"type":"a"},{"type":"a","id":"e2","payload":{"x":0.10000000000000000001}}]',
      limits,
    );
    expect(result).toMatchObject({
      ok: false,
      eventId: 'e2',
      detail: expect.stringMatching(/^events\[1\]\.payload\.x:/),
    });
  });

  it('keeps every spelling of a value a double holds: 1.0, 1e2, -0, 17 significant digits, 5e-324', () => {
    const numbers = [
      '1.0',
      '1e2',
      '1E+2',
      '100e-2',
      '-0',
      '-0.0',
      '0e999',
      '0.30000000000000004',
      '5e-324',
      '9007199254740991.000',
      '123.4500',
      '-2.5E-3',
      '0.1',
      '-1.5e-300',
    ];
    const result = parseEvents(`{"type":"a","payload":{"n":[${numbers.join(',')}]}}`, limits);
    expect(result).toMatchObject({ ok: true, events: [{ payload: { n: numbers.map(Number) } }] });
    // Exact too, though integers beyond 2^53 are refused by their own, stricter rule.
    for (const n of [...numbers, '1.7976931348623157e308', '1e21', '100000000000000000000'])
      expect(roundTrips(n), n).toBe(true);
  });

  it('looks for numbers outside strings only, escaped quotes included', () => {
    const body =
      '{"type":"a","id":"0.12345678901234567890123","payload":{"12345678901234567890123":"\\"0.12345678901234567890123","x":1}}';
    expect(scanSource(body)).toEqual({ keys: 5 });
    expect(parseEvents(body, limits).ok).toBe(true);
    const at = '{"s":"\\\\","n":0.12345678901234567890123}';
    expect(scanSource(at)).toEqual({ keys: 2, inexactNumber: { start: 14, end: at.length - 1 } });
  });

  it('counts keys as strings followed by a colon, spaces between or not', () => {
    expect(scanSource('{ "a" : [ "b" , "c:" , {} ] ,\n"d":{"e"\t:1, "f":"g"}}')).toEqual({ keys: 4 });
  });

  it('refuses a body exactly when one of its objects repeats a key, at any depth, escaped or not', () => {
    // Few key spellings, some of one key ("a" and "\u0061"), so that repeats are common; a repeat
    // inside a value a later repeat replaces counts too.
    const spellings = ['a', '\\u0061', 'b', '__proto__', '\\u005f_proto__', 'c\\"'];
    type Tree = number | Tree[] | { entries: [string, Tree][] };
    const { tree } = fc.letrec<{ tree: Tree }>((node) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.integer(),
        fc.array(node('tree'), { maxLength: 3 }),
        fc
          .array(fc.tuple(fc.constantFrom(...spellings), node('tree')), { maxLength: 4 })
          .map((entries) => ({ entries })),
      ),
    }));
    const text = (t: Tree): string =>
      typeof t === 'number'
        ? String(t)
        : Array.isArray(t)
          ? `[${t.map(text).join(',')}]`
          : `{${t.entries.map(([key, value]) => `"${key}" : ${text(value)}`).join(',')}}`;
    const repeats = (t: Tree): boolean => {
      if (typeof t === 'number') return false;
      if (Array.isArray(t)) return t.some(repeats);
      const keys = t.entries.map(([key]) => JSON.parse(`"${key}"`) as string);
      return new Set(keys).size < keys.length || t.entries.some(([, value]) => repeats(value));
    };
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.constantFrom(...spellings), tree), { maxLength: 4 })),
        (events) => {
          const payloads = events.map((entries) => ({ entries }));
          const body = `[${payloads.map((payload) => `{"type":"a","payload":${text(payload)}}`).join(',')}]`;
          const result = parseEvents(body, { maxEventsPerRequest: 100, maxDepth: 64 });
          if (payloads.length === 0) return;
          if (payloads.some(repeats))
            expect(result).toMatchObject({ ok: false, detail: expect.stringMatching(/: duplicate field "/) });
          else expect(result).toMatchObject({ ok: true, events: JSON.parse(body) as unknown[] });
        },
      ),
    );
  });

  it('round-trips the shortest text of any double and refuses any 18th significant digit', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(roundTrips(String(value))).toBe(true);
        expect(roundTrips(JSON.stringify(value))).toBe(true);
        if (value === 0) return;
        // 17 significant digits, then a nonzero 18th: more than the shortest text ever has.
        const [mantissa, exponent] = value.toPrecision(17).split('e');
        const longer = `${mantissa!.includes('.') ? mantissa : `${mantissa}.`}1${exponent === undefined ? '' : `e${exponent}`}`;
        expect(roundTrips(longer), longer).toBe(false);
      }),
    );
  });

  it('refuses invalid UTF-8 bytes before parsing them', () => {
    expect(parseBytes(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), limits)).toEqual({
      ok: false,
      reason: 'invalid_json',
      detail: 'body: not valid UTF-8',
    });
    expect(parseBytes(Buffer.from('{"type":"a"}'), limits).ok).toBe(true);
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
