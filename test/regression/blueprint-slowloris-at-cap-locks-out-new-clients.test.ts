// Regression: slowloris connections (a request head sent a byte at a time) from a few addresses,
// each within its per-address cap, filled the public listener's max_connections, and every new
// client was refused (max_connections) until headers_timeout cut them, 10 s later, when the
// attacker reconnected: with the default caps (1024, 256 per address) 4 addresses were enough.
// An idle connection gave way to a newcomer (blueprint-idle-connection-flood-locks-out-new-clients),
// a head in progress never did. At the cap with none idle, the connection whose head has been
// arriving for SLOW_HEAD_MS or more now gives way, reported as connection.refused with outcome
// slow_head_evicted; a request whose head has arrived is never closed for a newcomer.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_HEAD_MS } from '../../examples/blueprint/connection-guard.js';
import {
  connectionRefusalsCounted,
  connectionRefusalsLogged,
  hostPort,
  postOnNewConnection,
} from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-slowloris-cap-token-0123456789';
const MAX_CONNECTIONS = 20;
const PER_ADDRESS = 10;
const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const PROBES = 10;

let blueprint: InProcessBlueprint;
const sockets: Socket[] = [];
let drip: NodeJS.Timeout | undefined;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-slowloris-cap-', TOKEN, {
    service: { max_connections: MAX_CONNECTIONS, max_connections_per_address: PER_ADDRESS },
    tables: { ingress: { timeout_ms: 10_000 } },
  });
});

afterAll(async () => {
  clearInterval(drip);
  for (const socket of sockets) socket.destroy();
  await blueprint?.stop();
});

async function open(localAddress: string): Promise<Socket> {
  const socket = connect({ ...hostPort(blueprint.service.url), localAddress });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

const probe = (): Promise<number | string> => postOnNewConnection(blueprint, TOKEN);

describe('regression: a slowloris flood at the connection cap locks new clients out', () => {
  it('gives a slow head’s place to each new client, never a request whose head has arrived', async () => {
    // A request whose head has arrived and whose body is half sent: in flight, never closed.
    const body = '{"type":"held"}';
    const held = await open('127.0.0.1');
    let heldAnswer = '';
    held.on('data', (chunk: Buffer) => (heldAnswer += chunk.toString('latin1')));
    held.write(
      `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    // The flood: every other place taken by a head that never ends, and taken again by the
    // attacker as soon as one is free (a slowloris tool reconnects).
    const slow: Socket[] = [];
    const slowHead = async (): Promise<void> => {
      const socket = await open(ATTACKERS[slow.length % ATTACKERS.length]!);
      socket.write('POST /events HTTP/1.1\r\nhost: x\r\n');
      slow.push(socket);
    };
    for (let i = 0; i < MAX_CONNECTIONS - 1; i++) await slowHead();
    drip = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('x');
    }, 100);
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
    await settle();
    // The first newcomer finds the heads young (the listener notices them only now)...
    const first = await probe();
    await slowHead();
    await new Promise((resolve) => setTimeout(resolve, SLOW_HEAD_MS + 100));
    // ...and from then on each new client takes a slow head's place, which the attacker retakes.
    const answers: (number | string)[] = [];
    for (let i = 0; i < PROBES; i++) {
      await settle();
      answers.push(await probe());
      await slowHead();
    }
    expect(answers, `first probe: ${first}`).toEqual(Array.from({ length: PROBES }, () => 202));

    expect(held.destroyed).toBe(false);
    held.write(body.slice(5));
    for (let waited = 0; waited < 5_000 && !/\r\n\r\n\{/.test(heldAnswer); waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heldAnswer).toMatch(/^HTTP\/1\.1 202 /);
    await connectionRefusalsLogged(blueprint, 'slow_head_evicted');
    expect(await connectionRefusalsCounted(blueprint, 'slow_head_evicted')).toBeGreaterThanOrEqual(PROBES);
  }, 30_000);
});
