// Regression: idle connections from a few addresses, each under its per-address cap, filled the
// public listener's max_connections, and Node dropped every new connection until headers_timeout
// (10 s) cut the idle ones: in a hostile-client trial a probe that opened a connection per request
// got 36% of its answers. At the cap the longest-idle connection (no request in flight) is now
// closed to admit the newcomer, reported as connection.refused with outcome idle_evicted; a
// connection with a request in flight is never closed for it.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';
import {
  connectionRefusalsCounted,
  connectionRefusalsLogged,
  hostPort,
  postOnNewConnection,
} from '../support/connection-refusals.js';

const TOKEN = 'regression-idle-flood-token-0123456789';
const MAX_CONNECTIONS = 20;
const PER_ADDRESS = 8;
/** The flood: 6 connections from each of 127.0.0.2-6, 30 in all, none over its address's cap. */
const FLOOD_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
const FLOOD_PER_ADDRESS = 6;
const PROBES = 10;

let blueprint: InProcessBlueprint;
const sockets: Socket[] = [];

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-idle-flood-', TOKEN, {
    // Keep-alive connections stay open until closed for a newcomer, whatever the test's pace.
    service: {
      max_connections: MAX_CONNECTIONS,
      max_connections_per_address: PER_ADDRESS,
      keep_alive_timeout_ms: 60_000,
    },
    // Long enough that the request held in flight is not answered 408 while the test runs.
    tables: { ingress: { timeout_ms: 10_000 } },
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await blueprint?.stop();
});

const HEAD = (length: number): string =>
  `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
  `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

interface Connection {
  readonly socket: Socket;
  /** What the server sent so far. */
  answer(): string;
  closed(): boolean;
}

/** A connection from `localAddress` (127.0.0.1 by default), once established. */
async function open(localAddress?: string): Promise<Connection> {
  const socket = connect({
    ...hostPort(blueprint.service.url),
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  sockets.push(socket);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  let closed = false;
  socket.once('close', () => (closed = true));
  await once(socket, 'connect');
  return { socket, answer: () => answer, closed: () => closed };
}

/** Polls `done` every 20 ms, for up to 5 s. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never ${what}`);
}

/** A whole answer: the head and its JSON body (the blueprint's bodies hold no nested object). */
const ANSWERED = /\r\n\r\n\{[^}]*\}$/;

const probe = (): Promise<number | string> => postOnNewConnection(blueprint, TOKEN);

describe('regression: an idle connection flood locks new clients out', () => {
  it('admits every new client by closing the longest-idle connection, never one with a request in flight', async () => {
    // A request in flight, opened first so it is the oldest connection: its body is half sent.
    const body = '{"type":"held"}';
    const held = await open();
    held.socket.write(`${HEAD(body.length)}${body.slice(0, 5)}`);
    await until('the held request in flight', () => blueprint.service.health().inFlight.current === 1);

    // The flood: from 127.0.0.2 keep-alive connections idle after one answered request, from the
    // other addresses connections that never sent a byte.
    const [keepAliveAddress, ...silentAddresses] = FLOOD_ADDRESSES;
    const keptAlive: Connection[] = [];
    for (let i = 0; i < FLOOD_PER_ADDRESS; i++) {
      const connection = await open(keepAliveAddress);
      connection.socket.write(`${HEAD(body.length)}${body}`);
      await until('the keep-alive request answered', () => ANSWERED.test(connection.answer()));
      expect(connection.answer()).toMatch(/^HTTP\/1\.1 202 /);
      keptAlive.push(connection);
    }
    for (const address of silentAddresses) for (let i = 0; i < FLOOD_PER_ADDRESS; i++) await open(address);

    const answers: (number | string)[] = [];
    for (let i = 0; i < PROBES; i++) answers.push(await probe());
    expect(answers).toEqual(Array.from({ length: PROBES }, () => 202));

    // 31 connections for 20 places: the 11 idle longest were closed, the keep-alive ones first.
    await until('the keep-alive connections closed for newcomers', () =>
      keptAlive.every((connection) => connection.closed()),
    );

    // The request in flight was never closed: it completes and is stored.
    expect(held.socket.destroyed).toBe(false);
    held.socket.write(body.slice(5));
    await until('the held request answered', () => ANSWERED.test(held.answer()));
    expect(held.answer()).toMatch(/^HTTP\/1\.1 202 /);

    // Each connection over the cap closed an idle one, and so did the first probe: all reported.
    await connectionRefusalsLogged(blueprint, 'idle_evicted');
    expect(await connectionRefusalsCounted(blueprint, 'idle_evicted')).toBeGreaterThanOrEqual(
      1 + FLOOD_ADDRESSES.length * FLOOD_PER_ADDRESS - MAX_CONNECTIONS + 1,
    );
    expect(await connectionRefusalsCounted(blueprint, 'max_connections')).toBe(0);
  });
});
