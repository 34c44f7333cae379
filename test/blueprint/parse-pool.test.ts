import { afterAll, describe, expect, it } from 'vitest';
import { ParsePool } from '../../examples/blueprint/parse-pool.js';

const limits = { maxEventsPerRequest: 100, maxDepth: 4 };
const pool = new ParsePool(1);
const soon = () => Date.now() + 10_000;

afterAll(() => pool.close());

describe('parse pool', () => {
  it('parses a body on a worker thread: the bytes move there, the payload comes back as its JSON text', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: 'bulk.loaded',
      id: `b-${i}`,
      user: 'u1',
      timestamp: 1_700_000_000_000 + i,
      payload: { numbers: Array.from({ length: 300 }, (_, n) => n / 4), text: 'é😀' },
    }));
    const body = Buffer.from(JSON.stringify(events));
    const place = pool.reserve(false)!;
    const answer = await place.parse(body, limits, soon());
    expect(body.byteLength).toBe(0);
    expect(answer.result).not.toBe('expired');
    if (answer.result === 'expired' || !answer.result.ok) throw new Error('not parsed');
    expect(answer.parseMs).toBeGreaterThan(0);
    expect(answer.result.events).toHaveLength(50);
    expect(answer.result.events[7]).toMatchObject({ type: 'bulk.loaded', id: 'b-7', user: 'u1' });
    expect(answer.result.events[7]!.payload).toBeUndefined();
    expect(JSON.parse(answer.result.events[7]!.payloadJson!)).toEqual(events[7]!.payload);
    expect(pool.stats.parsed).toBe(1);
  });

  it('keeps every refusal of the loop: rounded numbers, lone surrogates, invalid UTF-8, too many events', async () => {
    const pad = 'x'.repeat(70_000);
    const bodies: [Buffer, RegExp][] = [
      [
        Buffer.from(
          `[{"type":"a","payload":{"pad":"${pad}"}},{"type":"a","payload":{"x":0.12345678901234567890123}}]`,
        ),
        /^events\[1\]\.payload\.x: number 0\.12345678901234567890123 would be stored as 0\.12345678901234568/,
      ],
      [
        Buffer.from(`{"type":"a","payload":{"pad":"${pad}","s":"\\ud800"}}`),
        /^event\.payload\.s: string holds a lone/,
      ],
      [
        Buffer.concat([
          Buffer.from(`{"type":"a","payload":{"pad":"${pad}`),
          Buffer.from([0xc3, 0x28, 0x22, 0x7d, 0x7d]),
        ]),
        /^body: not valid UTF-8$/,
      ],
      [
        Buffer.from(
          `[${'{"type":"a"},'.repeat(limits.maxEventsPerRequest)}{"type":"a","payload":{"pad":"${pad}"}}]`,
        ),
        /at most 100 events/,
      ],
    ];
    for (const [body, detail] of bodies) {
      const answer = await pool.reserve(false)!.parse(body, limits, soon());
      expect(answer.result).toMatchObject({ ok: false, detail: expect.stringMatching(detail) });
    }
  });

  it('is bounded: past its places a body is refused at once and counted; best-effort may hold half', () => {
    // One thread: one body parsed and two waiting; best-effort bodies may hold one of the three.
    expect(pool.places).toBe(3);
    const shedBefore = pool.stats.shed;
    const bestEffort = pool.reserve(true)!;
    expect(bestEffort).toBeDefined();
    expect(pool.reserve(true)).toBeUndefined();
    const urgent = [pool.reserve(false)!, pool.reserve(false)!];
    expect(urgent.every((p) => p !== undefined)).toBe(true);
    expect(pool.reserve(false)).toBeUndefined();
    expect(pool.stats.shed).toBe(shedBefore + 2);
    // A place given back (twice: idempotent) is one place free again.
    urgent[0]!.release();
    urgent[0]!.release();
    const again = pool.reserve(false)!;
    expect(again).toBeDefined();
    expect(pool.reserve(false)).toBeUndefined();
    for (const place of [bestEffort, urgent[1]!, again]) place.release();
    const last = pool.reserve(true);
    expect(last).toBeDefined();
    last!.release();
  });

  it('skips a body whose deadline passed while it waited, and counts it', async () => {
    const expiredBefore = pool.stats.expired;
    const answer = await pool.reserve(false)!.parse(Buffer.from('{"type":"a"}'), limits, Date.now() - 1);
    expect(answer.result).toBe('expired');
    expect(pool.stats.expired).toBe(expiredBefore + 1);
  });
});
