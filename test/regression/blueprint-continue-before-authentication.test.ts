// Regression: a request with `Expect: 100-continue` was told "100 Continue" by Node before the
// blueprint's handler ran, so a client with a wrong token was invited to upload its 1 MB body
// before the 401 (a hostile-client trial). The handler now answers 100 only once the request is
// authenticated and admitted, and a refused one gets its refusal without an invitation.
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-continue-token-0123456789';
let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-continue-', TOKEN);
});

afterAll(() => blueprint?.stop());

/** Sends the head, waits for the first answer, then (when told to continue) the body; returns all it read. */
async function exchange(token: string, body: string): Promise<string> {
  const { hostname, port } = new URL(blueprint.service.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  let answer = '';
  let sentBody = false;
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
    if (!sentBody && answer.startsWith('HTTP/1.1 100 ')) {
      sentBody = true;
      socket.write(body);
    }
  });
  await once(socket, 'connect');
  socket.write(
    'POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-tenant: acme\r\n' +
      `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      'Expect: 100-continue\r\nConnection: close\r\n\r\n',
  );
  await once(socket, 'close');
  return answer;
}

describe('regression: 100 Continue before authentication', () => {
  it('refuses a wrong token without inviting the body', async () => {
    const answer = await exchange(
      'wrong-token-wrong-token-0123',
      JSON.stringify({ type: 'x.y', payload: { pad: 'p'.repeat(1_000) } }),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).not.toContain('100 Continue');
  });

  it('tells an authenticated client to continue, and stores its event', async () => {
    const answer = await exchange(TOKEN, JSON.stringify({ type: 'continue.ok' }));
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 /);
  });
});
