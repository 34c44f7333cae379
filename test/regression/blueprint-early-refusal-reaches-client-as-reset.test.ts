// Regression: a refusal sent before the body was read (413 body too large, 401 unauthenticated)
// closed the connection as soon as the answer was flushed, while the client was still sending its
// body: the bytes that kept arriving met a closed socket, the kernel answered with a reset, and the
// client got EPIPE/ECONNRESET instead of the status (1-2 in 50 in a hostile-client trial; every
// time for a client that keeps sending after the answer). The listener now closes in stages
// (RFC 9112 9.6): the answer, its FIN, then what the client still sends is read and dropped, within
// bounds, until the client closes; a client still sending past them is cut and reported as
// connection.refused with outcome drain_cut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionRefusalLogged,
  connectionRefusals,
  connectionRefusalsCounted,
  refusedWhileSending,
  type Exchange,
} from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-early-refusal-token-0123456789';
const MAX_BODY_BYTES = 16 * 1024;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-early-refusal-', TOKEN, {
    // Two per address: a client's connections still draining count until they give way.
    service: { max_connections_per_address: 2 },
    tables: { ingress: { max_body_bytes: MAX_BODY_BYTES } },
  });
});

afterAll(async () => {
  await blueprint?.stop();
});

function head(headers: string): string {
  return `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\ncontent-type: application/json\r\n${headers}\r\n`;
}

const chunked = (chunk: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);

describe('regression: an early refusal reaches the client as a reset', () => {
  it('413 from the declared length: the client that keeps sending reads the answer, no reset', async () => {
    const exchange = await refusedWhileSending(
      blueprint,
      head(`authorization: Bearer ${TOKEN}\r\ncontent-length: ${1024 * 1024}\r\n`),
      { after: 1024 * 1024 },
    );
    expect(exchange.error).toBeUndefined();
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('401 before the body is read: no reset', async () => {
    const exchange = await refusedWhileSending(blueprint, head(`content-length: ${1024 * 1024}\r\n`), {
      after: 1024 * 1024,
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('413 found while reading a chunked body: no reset, and no later bytes read as a request', async () => {
    const exchange = await refusedWhileSending(
      blueprint,
      head(`authorization: Bearer ${TOKEN}\r\ntransfer-encoding: chunked\r\n`),
      { before: 2 * 64 * 1024, after: 1024 * 1024, frame: chunked },
    );
    expect(exchange.error).toBeUndefined();
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 413 /);
    // One answer: what followed the refusal was dropped, not parsed.
    expect(exchange.answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('clients that send their whole body before reading: 5 refusals in a row, no reset', async () => {
    // 4 MiB each, within a connection's drain bound; before, every one met a reset. They come
    // faster than they drain (the listener's drain rate), so the address's earlier connections,
    // answered and still draining, give way to its new ones rather than having them refused.
    const body = 4 * 1024 * 1024;
    const exchanges: Exchange[] = [];
    for (let i = 0; i < 5; i++)
      exchanges.push(
        await refusedWhileSending(blueprint, head(`content-length: ${body}\r\n`), {
          before: body,
          after: 0,
          localAddress: '127.0.0.3',
        }),
      );
    expect(exchanges.map((exchange) => exchange.error ?? exchange.answer.split('\r\n', 1)[0])).toEqual(
      Array.from({ length: 5 }, () => 'HTTP/1.1 401 Unauthorized'),
    );
  });

  it('a client that keeps sending past the drain bound is cut, and that is reported', async () => {
    const exchange = await refusedWhileSending(blueprint, head(`content-length: ${1024 ** 3}\r\n`), {
      after: 64 * 1024 * 1024,
      localAddress: '127.0.0.4',
    });
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 401 /);
    const cut = (line: Record<string, unknown>): boolean =>
      line.outcome === 'drain_cut' && line.source === '127.0.0.4';
    await connectionRefusalLogged(blueprint, (lines) => lines.some(cut));
    expect(connectionRefusals(blueprint)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'drain_cut', listener: 'public', source: '127.0.0.4' }),
      ]),
    );
    expect(await connectionRefusalsCounted(blueprint, 'drain_cut')).toBeGreaterThanOrEqual(1);
  });
});
