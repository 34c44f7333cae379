// Regression: a request pipelined behind one answered with `Connection: close` was still
// processed. Node hands the handler every request it parsed from what arrived, and only sends
// the answers up to the one that closes: a client that wrote a request refused from its head
// (404, 405, 401, 415: each answered with close) and a valid event in one write got the refusal,
// never an answer for the event, and the event was stored and counted accepted all the same (10
// of 10 in a review trial). RFC 9112 9.6: a server that sends close, or receives a request with
// the close option, must not process any further request on that connection; the store holds
// exactly the events answered 202. Requests behind such an answer are now dropped unanswered and
// uncounted, also behind a refusal decided while reading the body (413 found in a chunked body
// that the same write follows).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPort } from '../support/connection-refusals.js';
import {
  startAcmeBlueprint,
  storedPayloads,
  type InProcessBlueprint,
} from '../support/in-process-blueprint.js';

const TOKEN = 'regression-behind-close-token-0123456789';
const MAX_BODY_BYTES = 1024;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-behind-close-', TOKEN, {
    // A deadline no loaded machine reaches: an event behind the close that was not stored was
    // dropped, not timed out.
    tables: { ingress: { timeout_ms: 10_000, max_body_bytes: MAX_BODY_BYTES } },
  });
});

afterAll(async () => {
  await blueprint?.stop();
});

function post(body: string, headers: string): string {
  return `POST /events HTTP/1.1\r\nhost: x\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const event = (type: string): string => JSON.stringify({ type });
const acme = `x-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\n`;
const chunkedHead = (start: string, headers: string): string =>
  `${start} HTTP/1.1\r\nhost: x\r\n${headers}transfer-encoding: chunked\r\n\r\n`;
const chunk = (data: string): string => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;

/** First requests whose answer closes the connection, by the answer expected. */
const FIRSTS: Record<string, { readonly request: string; readonly status: number }> = {
  404: { request: chunkedHead('POST /nope', '') + '0\r\n\r\n', status: 404 },
  405: { request: chunkedHead('GET /events', '') + '0\r\n\r\n', status: 405 },
  401: {
    request:
      chunkedHead(
        'POST /events',
        'x-tenant: acme\r\nauthorization: Bearer wrong-token-0123456789\r\ncontent-type: application/json\r\n',
      ) + '0\r\n\r\n',
    status: 401,
  },
  415: {
    request:
      chunkedHead(
        'POST /events',
        `x-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: text/plain\r\n`,
      ) + '0\r\n\r\n',
    status: 415,
  },
  // Refused while its body is read, the next request in the same write.
  '413-chunked': {
    request:
      chunkedHead('POST /events', acme) +
      `${chunk(JSON.stringify({ type: 'too.large', pad: 'x'.repeat(2 * MAX_BODY_BYTES) }))}0\r\n\r\n`,
    status: 413,
  },
};

/**
 * Writes `data` at once, reads until the service ends its side, then ends ours (the lingering
 * close waits for it): what the client read.
 */
function exchange(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...hostPort(blueprint.service.url), allowHalfOpen: true });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close from the service; read: ${JSON.stringify(answer)}`));
    }, 10_000);
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.once('end', () => socket.end());
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(data);
  });
}

/** Waits until no request is in flight: every handler the service started has settled. */
async function settled(): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 20) {
    if (blueprint.service.health().inFlight.current === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('requests still in flight after 15 s');
}

describe('regression: a request pipelined behind a Connection: close answer is stored', () => {
  it('drops every request behind the answer that closes: none stored, none counted', async () => {
    const acceptedBefore = blueprint.service.stats.acceptedRequests;
    const answers: Record<string, string[]> = {};
    await Promise.all(
      Object.entries(FIRSTS).map(async ([name, first]) => {
        const behind = event(`behind.${name}`);
        const text = await exchange(first.request + post(behind, acme));
        answers[name] = text.match(/HTTP\/1\.1 \d+/g) ?? [];
      }),
    );
    await settled();
    // One answer each, the first request's: nothing can answer what is behind it.
    expect(answers).toEqual(
      Object.fromEntries(Object.entries(FIRSTS).map(([name, first]) => [name, [`HTTP/1.1 ${first.status}`]])),
    );
    const storedBehind = Object.fromEntries(
      Object.keys(FIRSTS).map((name) => [name, storedPayloads(blueprint, `behind.${name}`).length]),
    );
    expect(storedBehind).toEqual(Object.fromEntries(Object.keys(FIRSTS).map((name) => [name, 0])));
    expect(blueprint.service.stats.acceptedRequests - acceptedBefore).toBe(0);
  });

  it('still answers requests pipelined on a connection that stays open', async () => {
    const text = await exchange(
      post(event('kept.first'), acme) + post(event('kept.second'), `${acme}connection: close\r\n`),
    );
    await settled();
    expect(text.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 202', 'HTTP/1.1 202']);
    expect(storedPayloads(blueprint, 'kept.first')).toHaveLength(1);
    expect(storedPayloads(blueprint, 'kept.second')).toHaveLength(1);
  });
});
