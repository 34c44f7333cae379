// Regression: Node's own refusals of a request head, 431 (headers too large) and 400 (malformed),
// were written and the connection destroyed at once, while the client was still sending: every one
// of 10 clients of each kind that kept sending got EPIPE instead of the answer (the early-refusal
// fix, blueprint-early-refusal-reaches-client-as-reset, covered the service's own 413 and 401
// only). They now close with the same bounded lingering close. A 408 (head too slow) still closes
// at once: see hostile-connections' slowloris test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedWhileSending, type Exchange } from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-bad-head-', 'regression-bad-head-token-0123456789');
});

afterAll(async () => {
  await blueprint?.stop();
});

/** What each of `count` clients saw first: its socket error, else its status line. */
async function seen(requestHead: string, count: number, subnet: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) {
    const exchange: Exchange = await refusedWhileSending(blueprint, requestHead, {
      after: 1024 * 1024,
      localAddress: `127.0.${subnet}.${i + 1}`,
    });
    outcomes.push(exchange.error ?? exchange.answer.split('\r\n', 1)[0]!);
  }
  return outcomes;
}

describe("regression: Node's refusal of a bad request head reaches the client as a reset", () => {
  it('431 for a 40 KiB header: clients that keep sending read the answer, no EPIPE', async () => {
    const head = `POST /events HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40 * 1024)}\r\n`;
    expect(await seen(head, 10, 1)).toEqual(
      Array.from({ length: 10 }, () => 'HTTP/1.1 431 Request Header Fields Too Large'),
    );
  });

  it('400 for a malformed request line: the same', async () => {
    expect(await seen('GET /\x01 HTTP/1.1\r\n', 10, 2)).toEqual(
      Array.from({ length: 10 }, () => 'HTTP/1.1 400 Bad Request'),
    );
  });
});
