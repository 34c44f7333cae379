// Regression: a body waiting for a parse thread waited in piscina's queue, where nothing could
// take it out: when its request ended meanwhile (its deadline passed, or its client left) it kept
// its place in the pool, and the request its admission ticket, until a thread took it; a body
// whose client had left was then parsed all the same, for nobody (its deadline had not passed).
// The pool now hands a thread at most one body and keeps the rest waiting itself: a body whose
// request's signal aborts leaves the wait at once, 'expired', its place given back, unparsed.
import { afterAll, describe, expect, it } from 'vitest';
import { ParsePool } from '../../examples/blueprint/parse-pool.js';

const limits = { maxEventsPerRequest: 100, maxDepth: 4 };
const soon = () => Date.now() + 60_000;
const pool = new ParsePool(1);

afterAll(() => pool.close());

function body(type: string): Buffer {
  return Buffer.from(
    JSON.stringify({ type, payload: { numbers: Array.from({ length: 20_000 }, (_, i) => i / 4) } }),
  );
}

describe('regression: a body waiting for a parse thread outlives its request', () => {
  it('leaves the wait when its request ends: answered first, its place free at once, never parsed', async () => {
    const parsedBefore = pool.stats.parsed;
    const expiredBefore = pool.stats.expired;
    const settled: string[] = [];
    // The one thread takes the first body; the second waits for it.
    const first = pool.reserve(false)!.parse(body('first.parsed'), limits, soon());
    void first.then(() => settled.push('first'));
    const request = new AbortController();
    const second = pool.reserve(false)!.parse(body('second.left'), limits, soon(), request.signal);
    void second.then(() => settled.push('second'));
    // Its client leaves (or its deadline passes) while it waits.
    request.abort(new Error('client closed the connection'));

    // Its place is free again at once: two of the three places are, beside the first body's.
    const places = [pool.reserve(false), pool.reserve(false)];
    const placesFree = places.filter((place) => place !== undefined).length;
    for (const place of places) place?.release();

    const [firstAnswer, secondAnswer] = await Promise.all([first, second]);
    expect({
      placesFree,
      settled,
      first: firstAnswer.result === 'expired' ? 'expired' : firstAnswer.result.ok,
      second: secondAnswer.result === 'expired' ? 'expired' : secondAnswer.result.ok,
      parsed: pool.stats.parsed - parsedBefore,
      expired: pool.stats.expired - expiredBefore,
    }).toEqual({
      placesFree: 2,
      settled: ['second', 'first'],
      first: true,
      second: 'expired',
      parsed: 1,
      expired: 1,
    });
  });

  it('still hands the thread on: a body that waited is parsed once the one before it is done', async () => {
    const parsedBefore = pool.stats.parsed;
    const answers = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        pool.reserve(false)!.parse(body(`${name}.parsed`), limits, soon(), new AbortController().signal),
      ),
    );
    expect(answers.map((answer) => answer.result !== 'expired' && answer.result.ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(pool.stats.parsed - parsedBefore).toBe(3);
  });
});
