// Regression: a client that hung up was noticed only by the response's 'close' event, which Node
// emits for the response that owns the socket; a pipelined response waiting behind it never gets
// the socket, so its request went on as if the client were there. Two events in one write, the
// client gone 10 ms later, dependencies taking 40 ms: the first was dropped as client_closed, the
// second stored and counted accepted, with nobody to answer (5 of 5 in a review trial). The
// service now watches the connection itself, so every request on it is dropped (499
// client_closed, not stored, not accepted).
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPort } from '../support/connection-refusals.js';
import {
  startAcmeBlueprint,
  storedPayloads,
  type InProcessBlueprint,
} from '../support/in-process-blueprint.js';

const TOKEN = 'regression-pipelined-gone-token-0123456789';
const CLIENTS = 3;
/** Each lookup takes this long: the requests are in enrichment when their client hangs up. */
const DEPENDENCY_MS = 2_000;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-pipelined-gone-', TOKEN, {
    // The enrichment waits for the dependencies; the deadline is beyond any loaded machine's pace.
    tables: { ingress: { timeout_ms: 10_000 }, enrichment: { budget_ms: 5_000 } },
  });
  for (const dep of blueprint.deps) dep.setFaults({ latencyMs: DEPENDENCY_MS, jitterMs: 0 });
});

afterAll(async () => {
  await blueprint?.stop();
});

function post(type: string): string {
  const body = JSON.stringify({ type });
  return (
    `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
    `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`
  );
}

async function inFlight(count: number): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 5) {
    if (blueprint.service.health().inFlight.current === count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`in flight: ${blueprint.service.health().inFlight.current}, waited for ${count}`);
}

/** The request duration metric's count of answers with `status`, over its series. */
async function answersCounted(status: number): Promise<number> {
  const text = await (await fetch(`${blueprint.service.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('http_server_request_duration_seconds_count{') &&
        line.includes(`http_response_status_code="${status}"`),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('regression: a pipelined request is stored after its client left', () => {
  it('drops both pipelined requests of a client that hung up', async () => {
    const acceptedBefore = blueprint.service.stats.acceptedRequests;
    const sockets: Socket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const socket = connect(hostPort(blueprint.service.url));
      socket.on('error', () => undefined);
      socket.write(post('gone.first') + post('gone.second'));
      sockets.push(socket);
    }
    // Both requests of every client are in the service (the second's handler runs as soon as
    // Node parsed it, its answer queued behind the first's): then the clients hang up.
    await inFlight(2 * CLIENTS);
    for (const socket of sockets) socket.destroy();
    await inFlight(0);

    expect({
      first: storedPayloads(blueprint, 'gone.first').length,
      second: storedPayloads(blueprint, 'gone.second').length,
      accepted: blueprint.service.stats.acceptedRequests - acceptedBefore,
    }).toEqual({ first: 0, second: 0, accepted: 0 });
    expect(await answersCounted(499)).toBe(2 * CLIENTS);
  }, 30_000);
});
